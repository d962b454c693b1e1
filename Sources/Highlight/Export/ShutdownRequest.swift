import HighlightSynchronization
import Synchronization

/// A one-shot request to shut the exporters down, made from synchronous code (a cancellation or graceful-shutdown
/// handler) and awaited by the task that drives the shutdown.
///
/// `request()` never suspends and may be called any number of times from any thread; `wait()` returns once it has
/// been called, or throws `CancellationError` when the waiting task is cancelled first.
final class ShutdownRequest: Sendable {
    private enum State {
        case pending([Int: CheckedContinuation<Void, any Error>], nextID: Int)
        case requested
    }

    private let state = Locked(State.pending([:], nextID: 0))

    /// Whether `request()` has been called.
    var isRequested: Bool {
        state.withLock { if case .requested = $0 { true } else { false } }
    }

    /// Records the request and wakes every waiter. Returns `true` the first time only.
    @discardableResult
    func request() -> Bool {
        let waiters: [CheckedContinuation<Void, any Error>]? = state.withLock { state in
            guard case .pending(let waiting, _) = state else { return nil }
            state = .requested
            return Array(waiting.values)
        }
        guard let waiters else { return false }
        for waiter in waiters { waiter.resume() }
        return true
    }

    /// Suspends until `request()` is called.
    func wait() async throws {
        let id: Int? = state.withLock { state in
            guard case .pending(let waiting, let next) = state else { return nil }
            state = .pending(waiting, nextID: next + 1)
            return next
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    guard case .pending(var waiting, let next) = state else { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    waiting[id] = continuation
                    state = .pending(waiting, nextID: next)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Void, any Error>? = state.withLock { state in
                guard case .pending(var waiting, let next) = state, let waiter = waiting.removeValue(forKey: id) else { return nil }
                state = .pending(waiting, nextID: next)
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
