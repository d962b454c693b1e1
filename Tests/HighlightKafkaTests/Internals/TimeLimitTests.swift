@testable import HighlightKafka
import Synchronization
import HighlightSynchronization
import Testing

@Suite("withTimeLimit")
struct TimeLimitTests {
    struct Failed: Error {}

    @Test func withoutALimitTheHandlerIsCalledAndItsErrorPassesThrough() async throws {
        let calls = Atomic<Int>(0)
        try await withTimeLimit(nil, { (value: Int) in calls.add(value, ordering: .relaxed) }, 2)
        let called = calls.load(ordering: .relaxed)
        #expect(called == 2)
        await #expect(throws: Failed.self) { try await withTimeLimit(nil, { (_: Int) in throw Failed() }, 0) }
        await #expect(throws: Failed.self) { try await withTimeLimit(.seconds(3600), { (_: Int) in throw Failed() }, 0) }
    }

    @Test func aHandlerThatFinishesInTimeIsNotCancelled() async throws {
        let cancelled = Atomic<Bool>(true)
        try await withTimeLimit(.seconds(3600), { (_: Int) in cancelled.store(Task.isCancelled, ordering: .relaxed) }, 0)
        let wasCancelled = cancelled.load(ordering: .relaxed)
        #expect(wasCancelled == false)
    }

    @Test func onTimeoutTheHandlerIsCancelledAndHasReturnedBeforeTheErrorArrives() async {
        let exited = Atomic<Bool>(false)
        await #expect(throws: KafkaHandlerTimeout.self) {
            try await withTimeLimit(.milliseconds(20), { (_: Int) in
                defer { exited.store(true, ordering: .relaxed) }
                do {
                    try await Task.sleep(for: .seconds(3600))
                } catch {
                    // Winding down takes a while: a caller that did not wait would read `exited` before this ends.
                    for _ in 0..<10_000 { await Task.yield() }
                    throw error
                }
            }, 0)
        }
        // The next attempt of the message starts after this: the timed-out one must be over.
        let hasExited = exited.load(ordering: .relaxed)
        #expect(hasExited)
    }

    @Test func aHandlerIgnoringCancellationIsWaitedForAndItsOverrunReported() async {
        let released = AsyncStream<Void>.makeStream()
        let cancelledSeen = AsyncStream<Void>.makeStream()
        let overruns = Locked<[Duration]>([])
        let attempt = Task {
            try await withTimeLimit(.milliseconds(20), { (_: Int) in
                try? await Task.sleep(for: .seconds(3600))  // cancelled: goes on regardless
                cancelledSeen.continuation.yield()
                for await _ in released.stream { break }  // runs on until the test lets it go
            }, 0, overran: { overrun in overruns.withLock { $0.append(overrun) } })
        }
        for await _ in cancelledSeen.stream { break }
        #expect(overruns.withLock { $0.isEmpty }, "not over while the handler runs")
        released.continuation.yield()
        await #expect(throws: KafkaHandlerTimeout.self) { try await attempt.value }
        #expect(overruns.withLock { $0.count } == 1)
    }
}
