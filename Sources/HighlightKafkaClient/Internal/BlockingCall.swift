import Foundation

/// Runs a call that blocks (a synchronous commit, a flush, a consumer close, an administration request) on a thread
/// of its own, never on Swift's cooperative pool or Dispatch's global queues, and awaits its result. These calls are
/// rare (shutdown, explicit commits, administration), so a thread each costs less than keeping a pool alive.
func runBlocking<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.name = "highlight-kafka-blocking"
        thread.start()
    }
}

/// Runs `body` on a thread of its own without waiting: what a `deinit` hands over instead of blocking in it.
func runInBackground(_ name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread(block: body)
    thread.name = name
    thread.start()
}
