#if !HIGHLIGHT_THREAD_SANITIZER
import Synchronization
#endif

/// Tasks waiting for a condition on some state that another task changes: each is resumed by the change that makes
/// its condition true (the owner of the state calls ``conditionsChanged()`` after every change), or when it is
/// cancelled. No polling and no sleeping.
///
/// A condition reads the owner's state under the owner's own lock; the owner never holds that lock while calling in
/// here, so the two locks are always taken in the same order.
package final class ConditionWaiters: Sendable {
    private struct Waiter {
        let id: Int
        let condition: @Sendable () -> Bool
        let continuation: CheckedContinuation<Void, Never>
    }

    private let state = Locked<(nextID: Int, waiting: [Waiter])>((0, []))

    package init() {}

    /// Returns once `condition` holds, or when the task is cancelled (bound it with a timeout of the caller's).
    package func wait(until condition: @escaping @Sendable () -> Bool) async {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if Task.isCancelled || condition() { return true }
                    state.waiting.append(Waiter(id: id, condition: condition, continuation: continuation))
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index)
            }
            waiter?.continuation.resume()
        }
    }

    /// Resumes every waiter whose condition now holds.
    package func conditionsChanged() {
        let ready = state.withLock { state -> [Waiter] in
            let ready = state.waiting.filter { $0.condition() }
            state.waiting.removeAll { waiter in ready.contains { $0.id == waiter.id } }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }
}
