/// Runs `handler(value)`, throwing ``KafkaHandlerTimeout`` once `limit` passes. Without a limit the handler is simply
/// called (the handler and its argument are passed apart so that no closure is allocated per message for that
/// common case).
///
/// With a limit the handler is a child task (inheriting the caller's task-local values, so its `ServiceContext`)
/// racing a timer child. When the timer wins the handler is cancelled, and this returns only once it has: the next
/// attempt of the same message can never run beside it. A handler that ignores cancellation therefore holds its
/// partition; `overran` is told for how long it ran on after its timeout, to log and count it.
func withTimeLimit<Value: Sendable>(
    _ limit: Duration?,
    _ handler: @escaping @Sendable (Value) async throws -> Void,
    _ value: Value,
    overran: (Duration) -> Void = { _ in }
) async throws {
    guard let limit else { return try await handler(value) }
    let clock = ContinuousClock()
    var timedOutAt: ContinuousClock.Instant?
    do {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await handler(value) }
            group.addTask {
                try await Task.sleep(for: limit, clock: clock)
                throw KafkaHandlerTimeout(timeout: limit)
            }
            defer { group.cancelAll() }
            do {
                try await group.next()
            } catch let timeout as KafkaHandlerTimeout {
                timedOutAt = clock.now
                group.cancelAll()
                // Wait for the handler here, so the overrun is measured; its own outcome no longer matters.
                while (try? await group.next()) != nil {}
                throw timeout
            }
        }
    } catch let timeout as KafkaHandlerTimeout {
        if let timedOutAt { overran(clock.now - timedOutAt) }
        throw timeout
    }
}
