import Foundation
@testable import HighlightKafka
import HighlightKafkaClient
import Testing

@Suite("PartitionGate")
struct PartitionGateTests {
    static let p0 = KafkaTopicPartition(topic: "t", partition: 0)

    static func message(offset: Int64, partition: Int32 = 0, fetchedAfter revocations: UInt64 = 0) -> KafkaConsumerMessage {
        var message = KafkaConsumerMessage(topic: "t", partition: partition, offset: offset, value: [])
        message.revocationsBeforeFetch = revocations
        return message
    }

    @Test func aRevokedPartitionStartsNothingAndStaleFetchesStayRefused() {
        let gate = PartitionGate()
        #expect(gate.begin(Self.message(offset: 0)) == nil)
        gate.revoke([Self.p0], revocationCount: 1)
        #expect(gate.begin(Self.message(offset: 1)) == .revoked)
        #expect(gate.begin(Self.message(offset: 1, partition: 1)) == nil, "other partitions go on")
        gate.assign([Self.p0])
        #expect(gate.begin(Self.message(offset: 1, fetchedAfter: 0)) == .revoked, "fetched before the revocation")
        #expect(gate.begin(Self.message(offset: 1, fetchedAfter: 1)) == nil, "fetched after it")
    }

    @Test func aMessageAlreadyHandledIsNotStartedAgain() {
        let gate = PartitionGate()
        let handled = Self.message(offset: 5)
        #expect(gate.begin(handled) == nil)
        gate.end(handled, stored: true)
        #expect(gate.begin(Self.message(offset: 3)) == .alreadyHandled)
        #expect(gate.begin(Self.message(offset: 5)) == .alreadyHandled)
        #expect(gate.begin(Self.message(offset: 6)) == nil)
        let failed = Self.message(offset: 9, partition: 1)
        #expect(gate.begin(failed) == nil)
        gate.end(failed, stored: false)
        #expect(gate.begin(Self.message(offset: 9, partition: 1)) == nil, "a message not stored may start again")
    }

    @Test func aHoldEndsAtTheNextAssignmentAndOnlyOneStartsPerRebalance() async {
        let gate = PartitionGate()
        #expect(gate.hold(atMost: .seconds(3600)))
        #expect(!gate.hold(atMost: .seconds(3600)), "a second refused commit does not extend the hold")
        let worker = Task { await gate.waitWhileHeld() }
        await eventually("the worker waits for the hold") { gate.holdWaiterCount == 1 }
        gate.assign([Self.p0])
        await finishes(worker, "the assignment ends the hold")
        #expect(gate.hold(atMost: .seconds(3600)), "after the rebalance a new hold may start")
        gate.revoke([Self.p0], revocationCount: 1)
        await gate.waitWhileHeld()  // the revocation ended it: returns at once
    }

    @Test func aHoldEndsAtItsLimit() async {
        let gate = PartitionGate()
        #expect(gate.hold(atMost: .milliseconds(1)))
        await gate.waitWhileHeld()
        #expect(gate.holdWaiterCount == 0)
    }

    @Test func aWaitingWorkerLeavesOnCancellation() async {
        let gate = PartitionGate()
        #expect(gate.hold(atMost: .seconds(3600)))
        let worker = Task { await gate.waitWhileHeld() }
        await eventually("the worker waits for the hold") { gate.holdWaiterCount == 1 }
        worker.cancel()
        await finishes(worker, "cancellation ends the wait")
        #expect(gate.holdWaiterCount == 0)
    }

    @Test func waitingUntilIdleReturnsWhenTheLastHandlerEnds() async {
        let gate = PartitionGate()
        let running = Self.message(offset: 0)
        #expect(gate.begin(running) == nil)
        // The rebalance waits on librdkafka's poll thread: a thread of its own here.
        let finished: Bool = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: gate.waitUntilIdle([Self.p0], atMost: .seconds(3600))) }.start()
            gate.end(running, stored: true)
        }
        #expect(finished)
        #expect(gate.waitUntilIdle([Self.p0], atMost: .seconds(3600)), "nothing runs: returns at once")
    }

    /// A handler's end signals only while a revocation waits: here it ends once the waiter is counted, so the
    /// signal is what lets the wait return before its hour.
    @Test func aHandlerEndingWhileARevocationWaitsReleasesIt() async {
        let gate = PartitionGate()
        let slot = gate.slot(of: Self.p0)
        let running = Self.message(offset: 0)
        #expect(gate.begin(running, in: slot) == nil)
        let finished: Bool = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: gate.waitUntilIdle([Self.p0], atMost: .seconds(3600))) }.start()
            Task {
                await eventually("the revocation waits") { gate.idleWaiterCount == 1 }
                gate.end(running, in: slot, stored: true)
            }
        }
        #expect(finished)
        #expect(gate.idleWaiterCount == 0)
        #expect(gate.begin(Self.message(offset: 0), in: slot) == .alreadyHandled, "the slot kept the stored offset")
    }

    @Test func waitingUntilIdleGivesUpAtItsLimit() {
        let gate = PartitionGate()
        #expect(gate.begin(Self.message(offset: 0)) == nil)
        #expect(!gate.waitUntilIdle([Self.p0], atMost: .milliseconds(20)))
    }
}

/// The tests' shorthand: each call finds the message's slot, as a worker does once for its partition.
extension PartitionGate {
    func begin(_ message: KafkaConsumerMessage) -> Refusal? {
        begin(message, in: slot(of: message.topicPartition))
    }

    func end(_ message: KafkaConsumerMessage, stored: Bool) {
        end(message, in: slot(of: message.topicPartition), stored: stored)
    }
}
