import Dispatch

/// Runs a call that blocks (a synchronous commit, a flush, a consumer close) off Swift's cooperative pool, so that
/// it never stalls other tasks, and awaits its result.
func runBlocking<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: body()) }
    }
}
