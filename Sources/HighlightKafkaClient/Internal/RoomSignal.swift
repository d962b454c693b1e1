import Synchronization

/// Wakes senders waiting for room in librdkafka's local queue. The poll thread signals after serving delivery
/// reports (each one frees room); a sender that saw the queue full waits for the next signal.
///
/// A generation counter closes the race between "the queue was full" and "start waiting": a sender passes the
/// generation it read before trying, and does not wait if a signal came in between.
final class RoomSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var closed = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiterID = 0
    }

    private let state = Mutex(State())

    var generation: UInt64 { state.withLock { $0.generation } }

    /// Waits for a signal newer than `generation`, for close, or for the task's cancellation.
    func wait(after generation: UInt64) async {
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.closed || state.generation != generation || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Wakes every waiter.
    func signal() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Wakes every waiter now and every later one at once.
    func close() {
        state.withLock { $0.closed = true }
        signal()
    }

    /// Senders waiting for a signal.
    var waiterCount: Int { state.withLock { $0.waiters.count } }
}
