import HighlightSynchronization
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
        var waiters = ParkedWaiters()
    }

    private let state = Locked(State())

    var generation: UInt64 { state.withLock { $0.generation } }

    /// Waits for a signal newer than `generation`, for close, or for the task's cancellation.
    func wait(after generation: UInt64) async {
        await parkCancellably(
            reserve: { state.withLock { $0.waiters.reserveID() } },
            parkUnlessDone: { id, continuation in
                state.withLock { state in
                    if state.closed || state.generation != generation || Task.isCancelled { return false }
                    state.waiters.park(id, continuation)
                    return true
                }
            },
            unpark: { id in self.state.withLock { $0.waiters.unpark(id) } }
        )
    }

    /// Wakes every waiter.
    func signal() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            return state.waiters.takeAll()
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
