import Foundation
@testable import HighlightKafkaClient
import Testing

@Suite("MessageBuffer")
struct MessageBufferTests {
    @Test func batchesComeOutInOrderAndUpToTheMaximum() async {
        let buffer = MessageBuffer<Int>(capacity: 10)
        #expect(buffer.push([1, 2, 3], shouldStop: { false }))
        #expect(await buffer.nextBatch(maximum: 2) == [1, 2])
        #expect(await buffer.next() == 3)
    }

    /// A reader refilling one array gets each batch alone in it (the last one's elements gone), its storage kept, and
    /// `false` with an empty array once the buffer is finished and drained.
    @Test func refillingOneArrayReplacesItsContentsAndKeepsItsStorage() async {
        let buffer = MessageBuffer<Int>(capacity: 10)
        var batch: [Int] = []
        #expect(buffer.push([1, 2, 3], shouldStop: { false }))
        #expect(await buffer.nextBatch(into: &batch, maximum: 2))
        #expect(batch == [1, 2])
        let storage = batch.withUnsafeBufferPointer { $0.baseAddress }
        #expect(buffer.push([4], shouldStop: { false }))
        #expect(await buffer.nextBatch(into: &batch, maximum: 2))
        #expect(batch == [3, 4])
        #expect(batch.withUnsafeBufferPointer { $0.baseAddress } == storage, "no new array per batch")
        buffer.finish(discardingBuffered: false)
        #expect(await buffer.nextBatch(into: &batch, maximum: 2) == false)
        #expect(batch.isEmpty)
    }

    @Test func aWaitingReaderIsHandedThePushedElement() async {
        let buffer = MessageBuffer<Int>(capacity: 10)
        let reader = Task { await buffer.next() }
        // Pushing from the poll thread's side, as librdkafka's thread does.
        await withCheckedContinuation { continuation in
            Thread {
                _ = buffer.push([7], shouldStop: { false })
                continuation.resume()
            }.start()
        }
        #expect(await reader.value == 7)
    }

    @Test func aFullBufferHoldsThePushUntilDrained() async {
        let buffer = MessageBuffer<Int>(capacity: 2)
        #expect(buffer.push([1, 2], shouldStop: { false }))
        let pushed: Bool = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: buffer.push([3], shouldStop: { false })) }.start()
            Task { _ = await buffer.nextBatch(maximum: 2) }
        }
        #expect(pushed)
        #expect(await buffer.next() == 3)
    }

    /// The poll thread blocked for room is let go by the consumer's stop (which finishes the buffer) at once, with no
    /// timer: the push returns false and the batch is not taken.
    @Test func finishingTheBufferReleasesAPushBlockedForRoom() async {
        let buffer = MessageBuffer<Int>(capacity: 1)
        #expect(buffer.push([1], shouldStop: { false }))
        let pushed = Task {
            await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: buffer.push([2], shouldStop: { false })) }.start()
            }
        }
        await eventually("the push waits for room") { buffer.waitingPushes == 1 }
        buffer.finish(discardingBuffered: true)
        guard await finishes(pushed, "the blocked push returns", bound: .seconds(10)) else { return }
        #expect(await pushed.value == false)
    }

    @Test func finishEndsReadersAndRefusesPushes() async {
        let buffer = MessageBuffer<Int>(capacity: 2)
        #expect(buffer.push([1], shouldStop: { false }))
        buffer.finish(discardingBuffered: true)
        #expect(await buffer.next() == nil)
        #expect(buffer.push([2], shouldStop: { false }) == false)
    }

    @Test func aCancelledReaderGetsNil() async {
        let buffer = MessageBuffer<Int>(capacity: 2)
        let reader = Task { await buffer.next() }
        reader.cancel()
        #expect(await reader.value == nil)
        #expect(buffer.push([1], shouldStop: { false }))
        #expect(await buffer.next() == 1, "the element went to no cancelled reader")
    }

    @Test func removeAllDropsMatchingBufferedElements() async {
        let buffer = MessageBuffer<Int>(capacity: 10)
        #expect(buffer.push([1, 2, 3, 4], shouldStop: { false }))
        #expect(buffer.removeAll { $0.isMultiple(of: 2) } == 2)
        #expect(await buffer.nextBatch(maximum: 10) == [1, 3])
    }

    /// The poll thread's batch is moved in: emptied with its capacity kept when taken, the first element to a task
    /// already waiting and the rest in order; a finished buffer leaves it as it was.
    @Test func aBatchIsMovedInInOrderAndLeftAsItWasWhenRefused() async {
        let buffer = MessageBuffer<Int>(capacity: 10)
        let waiting = Task { await buffer.next() }
        await eventually("the task waits") { buffer.waitingTasks == 1 }
        var batch = [1, 2, 3]
        batch.reserveCapacity(16)
        #expect(buffer.push(moving: &batch, shouldStop: { false }))
        #expect(batch.isEmpty && batch.capacity >= 16, "emptied, its storage kept for the next batch")
        #expect(await waiting.value == 1)
        #expect(await buffer.nextBatch(maximum: 10) == [2, 3])

        buffer.finish(discardingBuffered: false)
        var refused = [4, 5]
        #expect(buffer.push(moving: &refused, shouldStop: { false }) == false)
        #expect(refused == [4, 5])
    }
}

extension MessageBuffer {
    /// A batch pushed by value (the tests' literals).
    fileprivate func push(_ elements: [Element], shouldStop: () -> Bool) -> Bool {
        var batch = elements
        return push(moving: &batch, shouldStop: shouldStop)
    }
}
