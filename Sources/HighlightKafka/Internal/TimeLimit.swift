import Synchronization

/// Runs `handler(value)`, throwing ``KafkaHandlerTimeout`` once `limit` passes. With a limit the handler runs in its
/// own task (inheriting the caller's task-local values, so its `ServiceContext`), is cancelled on timeout, and is not
/// waited for: a handler that ignores cancellation cannot stall its partition. Without one it is simply called (the
/// handler and its argument are passed apart so that no closure is allocated per message for that common case).
func withTimeLimit<Value: Sendable>(
    _ limit: Duration?,
    _ handler: @escaping @Sendable (Value) async throws -> Void,
    _ value: Value
) async throws {
    guard let limit else { return try await handler(value) }
    let body: @Sendable () async throws -> Void = { try await handler(value) }
    let race = Race()
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        let work = Task {
            do {
                try await body()
                if race.claim() { continuation.resume() }
            } catch {
                if race.claim() { continuation.resume(throwing: error) }
            }
            race.cancelTimer()
        }
        race.setTimer(
            Task {
                try? await Task.sleep(for: limit)
                guard !Task.isCancelled, race.claim() else { return }
                work.cancel()
                continuation.resume(throwing: KafkaHandlerTimeout(timeout: limit))
            }
        )
    }
}

/// Decides which of the handler and the timer finishes the race.
private final class Race: Sendable {
    private let claimed = Atomic<Bool>(false)
    private let timer = Mutex<Task<Void, Never>?>(nil)

    /// True for the first caller only.
    func claim() -> Bool { !claimed.exchange(true, ordering: .acquiringAndReleasing) }

    func setTimer(_ task: Task<Void, Never>) {
        let finished = timer.withLock { timer -> Bool in
            timer = task
            return claimed.load(ordering: .acquiring)
        }
        if finished { task.cancel() }
    }

    func cancelTimer() { timer.withLock { $0?.cancel() } }
}
