import Foundation
import HighlightKafkaClient
import Synchronization
import HighlightSynchronization

/// Decides which messages a ``TracedKafkaConsumer`` worker may still start, so that a rebalance hands partitions over
/// without handling their messages twice.
///
/// - A revoked partition's messages are not started (their next owner reads them from the committed offset), and the
///   revocation waits for the handlers already running on it, so their offsets are in the commit made before the
///   partitions go.
/// - A message this consumer already handled is not started again when it is delivered a second time (the fetch
///   after a reassignment restarts at the committed offset, which may be behind what was handled).
/// - Once the coordinator has refused a commit because the group is rebalancing, no message starts until the
///   rebalance reaches this member (or a time limit passes): what would be handled meanwhile could not be committed
///   before the partitions move, and would be handled again by their next owner.
final class PartitionGate: Sendable {
    private struct State {
        var revoked: Set<KafkaTopicPartition> = []
        var running: [KafkaTopicPartition: Int] = [:]
        var nextOffset: [KafkaTopicPartition: Int64] = [:]
        /// The consumer's revocation count at each partition's latest revocation.
        var revokedAt: [KafkaTopicPartition: UInt64] = [:]
        var heldUntil: ContinuousClock.Instant?
        /// A hold was already used since the last rebalance: the next refused commit does not start another.
        var holdSpent = false
        /// Workers waiting for the hold to end.
        var holdWaiters = ParkedWaiters()

        /// Ends the hold; returns the waiters to resume.
        mutating func endHold() -> [CheckedContinuation<Void, Never>] {
            heldUntil = nil
            holdSpent = false
            return holdWaiters.takeAll()
        }
    }

    /// Why a message was not started.
    enum Refusal {
        /// Its partition was revoked.
        case revoked
        /// This consumer handled it already.
        case alreadyHandled
    }

    private let state = Locked(State())
    /// Whether a hold may be on: lets every message skip the lock when there is none.
    private let holding = Atomic<Bool>(false)
    /// Signalled whenever a handler ends, for ``waitUntilIdle(_:atMost:)`` on the poll thread.
    private let handlerEnded = NSCondition()

    /// Marks `message` as running, or says why it must not start.
    func begin(_ message: KafkaConsumerMessage) -> Refusal? {
        state.withLock { state in
            let partition = message.topicPartition
            if state.revoked.contains(partition) { return .revoked }
            // Fetched before the partition's latest revocation (it was waiting in a queue, or in a worker's or the
            // dispatcher's hands) even though the partition came back: the new fetch reads it again from the
            // committed offset. Starting it now would handle it out of order and make the messages before it look
            // handled.
            if let revokedAt = state.revokedAt[partition], message.revocationsBeforeFetch < revokedAt { return .revoked }
            if let next = state.nextOffset[partition], message.offset < next { return .alreadyHandled }
            state.running[partition, default: 0] += 1
            return nil
        }
    }

    /// Marks `message` as no longer running; `stored` when its offset was stored (handled, skipped or dead-lettered).
    func end(_ message: KafkaConsumerMessage, stored: Bool) {
        state.withLock { state in
            let partition = message.topicPartition
            state.running[partition, default: 1] -= 1
            if stored { state.nextOffset[partition] = max(state.nextOffset[partition] ?? 0, message.offset + 1) }
        }
        handlerEnded.lock()
        handlerEnded.broadcast()
        handlerEnded.unlock()
    }

    /// The partitions are this consumer's again; a hold ends.
    func assign(_ partitions: [KafkaTopicPartition]) {
        let waiters = state.withLock { state in
            state.revoked.subtract(partitions)
            return state.endHold()
        }
        holding.store(false, ordering: .relaxed)
        for waiter in waiters { waiter.resume() }
    }

    /// Stops new messages of `partitions` from starting, and for good those fetched before this revocation
    /// (`revocationCount` is the consumer's count including it); a hold ends (partitions not revoked go on).
    func revoke(_ partitions: [KafkaTopicPartition], revocationCount: UInt64) {
        let waiters = state.withLock { state in
            state.revoked.formUnion(partitions)
            for partition in partitions { state.revokedAt[partition] = revocationCount }
            return state.endHold()
        }
        holding.store(false, ordering: .relaxed)
        for waiter in waiters { waiter.resume() }
    }

    /// Holds every new message back until the next assignment or revocation, or for `limit` at most; at most once
    /// between two rebalances.
    ///
    /// The limit matters: while messages are held, the queues fill, the poll thread waits for room, and the rebalance
    /// (which that thread serves) cannot reach this member. The hold must run out so that the member can drain, see
    /// the rebalance and rejoin; refusals that follow are not allowed to extend it.
    /// - Returns: whether a hold started.
    func hold(atMost limit: Duration) -> Bool {
        let started = state.withLock { state -> Bool in
            guard !state.holdSpent else { return false }
            state.holdSpent = true
            state.heldUntil = ContinuousClock.now + limit
            return true
        }
        if started { holding.store(true, ordering: .relaxed) }
        return started
    }

    /// Waits while a hold lasts: until the next assignment or revocation, the hold's time limit, or the task's
    /// cancellation, whichever comes first; returns at once when there is none.
    func waitWhileHeld() async {
        guard holding.load(ordering: .relaxed), let until = state.withLock({ $0.heldUntil }) else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(until: until, clock: .continuous) }
            group.addTask { await self.holdEnded() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns when the hold ends (or is gone already), or when the task is cancelled.
    private func holdEnded() async {
        await parkCancellably(
            reserve: { state.withLock { $0.holdWaiters.reserveID() } },
            parkUnlessDone: { id, continuation in
                state.withLock { state in
                    guard state.heldUntil != nil, !Task.isCancelled else { return false }
                    state.holdWaiters.park(id, continuation)
                    return true
                }
            },
            unpark: { id in self.state.withLock { $0.holdWaiters.unpark(id) } }
        )
    }

    /// Waits, at most `timeout`, for the running handlers of `partitions` to finish. Runs on the consumer's poll
    /// thread (inside the rebalance), never on the cooperative pool: it blocks on a condition that every handler's
    /// end signals.
    /// - Returns: whether they all finished in time.
    func waitUntilIdle(_ partitions: [KafkaTopicPartition], atMost timeout: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        handlerEnded.lock()
        defer { handlerEnded.unlock() }
        while state.withLock({ state in partitions.contains { state.running[$0, default: 0] > 0 } }) {
            if !handlerEnded.wait(until: deadline) {
                return !state.withLock { state in partitions.contains { state.running[$0, default: 0] > 0 } }
            }
        }
        return true
    }

    /// Workers waiting for a hold to end.
    var holdWaiterCount: Int { state.withLock { $0.holdWaiters.count } }
}
