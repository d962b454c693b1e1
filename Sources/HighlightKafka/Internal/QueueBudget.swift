import DequeModule
import Synchronization

/// A limit on the messages waiting in all of a consumer's partition queues together.
///
/// Each partition queue is bounded on its own, so one slow partition cannot take every slot; this bound keeps the
/// sum of them (and so the memory held for messages not yet started) fixed however many partitions a member owns.
/// A queue takes a slot before it stores a message and gives it back when the message leaves (taken by its worker,
/// handed straight to a waiting worker, or dropped at a revocation or shutdown).
final class QueueBudget: Sendable {
    private struct State {
        var used = 0
        var waiters = Deque<CheckedContinuation<Void, Never>>()
    }

    private let state = Mutex(State())
    /// The most messages waiting at once.
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Takes a slot, waiting (first come, first served) while all are in use.
    func acquire() async {
        let capacity = self.capacity
        let taken = state.withLock { state -> Bool in
            guard state.used < capacity, state.waiters.isEmpty else { return false }
            state.used += 1
            return true
        }
        if taken { return }
        await withCheckedContinuation { continuation in
            let takenNow = state.withLock { state -> Bool in
                if state.used < capacity, state.waiters.isEmpty {
                    state.used += 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if takenNow { continuation.resume() }
        }
    }

    /// Gives `count` slots back; waiters take them over in order.
    func release(_ count: Int = 1) {
        guard count > 0 else { return }
        let capacity = self.capacity
        let resumed = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.used -= count
            var resumed: [CheckedContinuation<Void, Never>] = []
            while state.used < capacity, let waiter = state.waiters.popFirst() {
                state.used += 1
                resumed.append(waiter)
            }
            return resumed
        }
        for waiter in resumed { waiter.resume() }
    }

    /// Slots in use.
    var used: Int { state.withLock { $0.used } }
}
