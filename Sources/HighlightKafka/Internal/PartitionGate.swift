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
    /// What the gate knows of one partition.
    private struct PartitionState {
        var revoked = false
        /// The consumer's revocation count at the partition's latest revocation.
        var revokedAt: UInt64?
        var running = 0
        var nextOffset: Int64?
    }

    /// A partition's place in the gate, for a worker that handles only that partition: it is looked up once, and
    /// each message's ``begin(_:in:)`` and ``end(_:in:stored:)`` reach the partition's state without hashing its
    /// topic name (seven hashes of it per message, with the state kept in dictionaries).
    struct Slot: Sendable {
        fileprivate let index: Int
    }

    private struct State {
        /// Each partition seen, by slot; never removed (a partition's handled offset outlives its revocation).
        var partitions: [PartitionState] = []
        var slots: [KafkaTopicPartition: Int] = [:]
        var heldUntil: ContinuousClock.Instant?
        /// A hold was already used since the last rebalance: the next refused commit does not start another.
        var holdSpent = false
        /// Workers waiting for the hold to end.
        var holdWaiters = ParkedWaiters()

        mutating func slot(of partition: KafkaTopicPartition) -> Int {
            if let index = slots[partition] { return index }
            partitions.append(PartitionState())
            slots[partition] = partitions.count - 1
            return partitions.count - 1
        }

        mutating func isRunning(_ partition: KafkaTopicPartition) -> Bool {
            partitions[slot(of: partition)].running > 0
        }

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
    /// Signalled when a handler ends while ``waitUntilIdle(_:atMost:)`` waits on the poll thread.
    private let handlerEnded = NSCondition()
    /// How many ``waitUntilIdle(_:atMost:)`` calls are waiting.
    private let idleWaiters = Atomic<Int>(0)

    /// The slot of `partition`, for ``begin(_:in:)`` and ``end(_:in:stored:)``.
    func slot(of partition: KafkaTopicPartition) -> Slot {
        Slot(index: state.withLock { $0.slot(of: partition) })
    }

    /// Marks `message`, of the partition of `slot`, as running, or says why it must not start.
    func begin(_ message: KafkaConsumerMessage, in slot: Slot) -> Refusal? {
        state.withLock { state in
            let partition = state.partitions[slot.index]
            if partition.revoked { return .revoked }
            // Fetched before the partition's latest revocation (it was waiting in a queue, or in a worker's or the
            // dispatcher's hands) even though the partition came back: the new fetch reads it again from the
            // committed offset. Starting it now would handle it out of order and make the messages before it look
            // handled.
            if let revokedAt = partition.revokedAt, message.revocationsBeforeFetch < revokedAt { return .revoked }
            if let next = partition.nextOffset, message.offset < next { return .alreadyHandled }
            state.partitions[slot.index].running += 1
            return nil
        }
    }

    /// Marks `message`, of the partition of `slot`, as no longer running; `stored` when its offset was stored
    /// (handled, skipped or dead-lettered).
    func end(_ message: KafkaConsumerMessage, in slot: Slot, stored: Bool) {
        state.withLock { state in
            state.partitions[slot.index].running -= 1
            if stored { state.partitions[slot.index].nextOffset = max(state.partitions[slot.index].nextOffset ?? 0, message.offset + 1) }
        }
        // Only a revocation waits for handlers to end: without one, no condition to signal. `idleWaiters` is raised
        // before the waiter reads the running counts under the state lock, so either that read sees this end or
        // this load sees the waiter (whose lock on `handlerEnded`, held from before its read until it waits, makes
        // the broadcast reach it).
        if idleWaiters.load(ordering: .sequentiallyConsistent) > 0 {
            handlerEnded.lock()
            handlerEnded.broadcast()
            handlerEnded.unlock()
        }
    }

    /// The partitions are this consumer's again; a hold ends.
    func assign(_ partitions: [KafkaTopicPartition]) {
        let waiters = state.withLock { state in
            for partition in partitions { state.partitions[state.slot(of: partition)].revoked = false }
            return state.endHold()
        }
        holding.store(false, ordering: .relaxed)
        for waiter in waiters { waiter.resume() }
    }

    /// Stops new messages of `partitions` from starting, and for good those fetched before this revocation
    /// (`revocationCount` is the consumer's count including it); a hold ends (partitions not revoked go on).
    func revoke(_ partitions: [KafkaTopicPartition], revocationCount: UInt64) {
        let waiters = state.withLock { state in
            for partition in partitions {
                let index = state.slot(of: partition)
                state.partitions[index].revoked = true
                state.partitions[index].revokedAt = revocationCount
            }
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
    nonisolated(nonsending) func waitWhileHeld() async {
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
        idleWaiters.add(1, ordering: .sequentiallyConsistent)
        handlerEnded.lock()
        defer {
            handlerEnded.unlock()
            idleWaiters.subtract(1, ordering: .sequentiallyConsistent)
        }
        while state.withLock({ state in partitions.contains { state.isRunning($0) } }) {
            if !handlerEnded.wait(until: deadline) {
                return !state.withLock { state in partitions.contains { state.isRunning($0) } }
            }
        }
        return true
    }

    /// Revocations waiting for handlers to end (``waitUntilIdle(_:atMost:)``).
    var idleWaiterCount: Int { idleWaiters.load(ordering: .sequentiallyConsistent) }

    /// Workers waiting for a hold to end.
    var holdWaiterCount: Int { state.withLock { $0.holdWaiters.count } }
}
