import Foundation
import HighlightKafkaClient
import Synchronization

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
    }

    /// Why a message was not started.
    enum Refusal {
        /// Its partition was revoked.
        case revoked
        /// This consumer handled it already.
        case alreadyHandled
    }

    private let state = Mutex(State())
    /// Whether a hold may be on: lets every message skip the lock when there is none.
    private let holding = Atomic<Bool>(false)

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
    }

    /// The partitions are this consumer's again; a hold ends.
    func assign(_ partitions: [KafkaTopicPartition]) {
        state.withLock { state in
            state.revoked.subtract(partitions)
            state.heldUntil = nil
            state.holdSpent = false
        }
        holding.store(false, ordering: .relaxed)
    }

    /// Stops new messages of `partitions` from starting, and for good those fetched before this revocation
    /// (`revocationCount` is the consumer's count including it); a hold ends (partitions not revoked go on).
    func revoke(_ partitions: [KafkaTopicPartition], revocationCount: UInt64) {
        state.withLock { state in
            state.revoked.formUnion(partitions)
            for partition in partitions { state.revokedAt[partition] = revocationCount }
            state.heldUntil = nil
            state.holdSpent = false
        }
        holding.store(false, ordering: .relaxed)
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

    /// Waits while a hold lasts (checking every 5 ms); returns at once when there is none.
    func waitWhileHeld() async {
        guard holding.load(ordering: .relaxed) else { return }
        while let until = state.withLock({ $0.heldUntil }), ContinuousClock.now < until {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits, at most `timeout`, for the running handlers of `partitions` to finish. Runs on the consumer's poll
    /// thread (inside the rebalance), never on the cooperative pool.
    /// - Returns: whether they all finished in time.
    func waitUntilIdle(_ partitions: [KafkaTopicPartition], atMost timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ state in partitions.contains { state.running[$0, default: 0] > 0 } }) {
            if ContinuousClock.now >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.001)
        }
        return true
    }
}
