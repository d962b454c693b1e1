@testable import HighlightKafkaClient
import Testing

@Suite("MessageReleaseQueue")
struct MessageReleaseQueueTests {
    static func message(_ offset: Int64) -> KafkaConsumerMessage {
        KafkaConsumerMessage(topic: "orders", partition: 0, offset: offset, value: Array("value \(offset)".utf8))
    }

    /// Messages handed back wait for the poll thread's take, in order, and each take empties what it was given first.
    @Test func messagesHandedBackAreTakenInOrderOnce() {
        let queue = MessageReleaseQueue()
        for offset: Int64 in 0..<3 { queue.giveBack(Self.message(offset)) }
        var released: [KafkaConsumerMessage] = []
        queue.take(into: &released)
        #expect(released.map(\.offset) == [0, 1, 2])
        queue.giveBack(Self.message(3))
        queue.take(into: &released)
        #expect(released.map(\.offset) == [3], "what the last take gave is not taken again")
        queue.take(into: &released)
        #expect(released.isEmpty)
    }

    /// Once the poll thread has stopped nothing is kept: close returns what was queued, and a message handed back
    /// later is not queued (it is released where it was handed back).
    @Test func afterCloseNothingIsQueued() {
        let queue = MessageReleaseQueue()
        queue.giveBack(Self.message(0))
        #expect(queue.close().map(\.offset) == [0])
        queue.giveBack(Self.message(1))
        var released: [KafkaConsumerMessage] = []
        queue.take(into: &released)
        #expect(released.isEmpty)
        #expect(queue.close().isEmpty)
    }

    /// A message the reader kept is still whole after its release queue let go of its own reference.
    @Test func aMessageKeptElsewhereOutlivesItsRelease() {
        let queue = MessageReleaseQueue()
        let kept = Self.message(7)
        queue.giveBack(kept)
        var released: [KafkaConsumerMessage] = []
        queue.take(into: &released)
        released.removeAll()
        #expect(kept.valueString == "value 7")
    }
}
