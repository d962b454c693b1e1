import DequeModule
import HighlightSynchronization
import Synchronization

/// A limit on the messages waiting in all of a consumer's partition queues together.
///
/// Each partition queue is bounded on its own, so one slow partition cannot take every slot; this bound keeps the
/// sum of them (and so the memory held for messages not yet started) fixed however many partitions a member owns.
/// A queue takes a slot before it stores a message and gives it back when the message leaves (taken by its worker,
/// handed straight to a waiting worker, or dropped at a revocation or shutdown).
final class QueueBudget: Sendable {
    private struct State {
        var used = 0 {
            didSet { peak = max(peak, used) }
        }
        /// The most slots ever in use at once.
        var peak = 0
        var waiters = Deque<(id: Int, continuation: CheckedContinuation<Bool, Never>)>()
        var nextWaiterID = 0
    }

    private let state = Locked(State())
    /// Tasks waiting for ``waiting`` to reach a count (tests that need the queues full); told when a task starts to wait.
    private let waitingObservers = ConditionWaiters()
    /// The most messages waiting at once.
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Takes a slot, waiting (first come, first served) while all are in use.
    /// - Returns: false, without a slot, when the task was cancelled while waiting.
    func acquire() async -> Bool {
        let capacity = self.capacity
        let id = state.withLock { state -> Int? in
            guard state.used < capacity, state.waiters.isEmpty else {
                state.nextWaiterID += 1
                return state.nextWaiterID
            }
            state.used += 1
            return nil
        }
        guard let id else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool? in
                    if Task.isCancelled { return false }
                    if state.used < capacity, state.waiters.isEmpty {
                        state.used += 1
                        return true
                    }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let resumeNow { continuation.resume(returning: resumeNow) } else { waitingObservers.conditionsChanged() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(returning: false)
        }
    }

    /// Takes up to `count` slots that are free now, without waiting (none while others wait for one: they came first).
    /// - Returns: how many were taken.
    func acquireAvailable(upTo count: Int) -> Int {
        let capacity = self.capacity
        return state.withLock { state in
            guard state.waiters.isEmpty else { return 0 }
            let taken = max(0, min(count, capacity - state.used))
            state.used += taken
            return taken
        }
    }

    /// Gives `count` slots back; waiters take them over in order.
    func release(_ count: Int = 1) {
        guard count > 0 else { return }
        let capacity = self.capacity
        let resumed = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.used -= count
            var resumed: [CheckedContinuation<Bool, Never>] = []
            while state.used < capacity, let waiter = state.waiters.popFirst() {
                state.used += 1
                resumed.append(waiter.continuation)
            }
            return resumed
        }
        for waiter in resumed { waiter.resume(returning: true) }
    }

    /// Slots in use.
    var used: Int { state.withLock { $0.used } }

    /// The most slots ever in use at once: exact, where a reading of ``used`` from outside is a sample.
    var peakUsed: Int { state.withLock { $0.peak } }

    /// Tasks waiting for a slot.
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Returns once `count` tasks wait for a slot, or when the task is cancelled (bound it with a time limit).
    func waitForWaiters(_ count: Int) async {
        await waitingObservers.wait { self.waiting >= count }
    }
}
