import Testing

/// The lock that keeps suites disrupting the shared OTLP receiver apart from the suites reading it
/// (``SharedReceiverAccess``). Each step is awaited through the lock's own state or a `HandlerGate`, never a sleep.
@Suite("Test support: the shared-or-exclusive lock", .timeLimit(.minutes(1)))
struct SharedExclusiveLockTests {
    /// A reader holds the lock; a writer waits for it; a reader arriving after the writer waits behind the writer.
    @Test func aWaitingWriterRunsBeforeAReaderThatCameAfterIt() async throws {
        let lock = SharedExclusiveLock()
        let order = LockedArray<String>()
        let gate = HandlerGate()
        let first = Task {
            try await lock.withAccess(exclusive: false) {
                order.append("first reader")
                await gate.wait()
            }
        }
        await order.waitFor(count: 1)
        let writer = Task { try await lock.withAccess(exclusive: true) { order.append("writer") } }
        await lock.waitForExclusiveWaiters(1)
        let second = Task { try await lock.withAccess(exclusive: false) { order.append("second reader") } }
        // Neither can start while the first reader holds the lock; then the writer goes first.
        #expect(order.values == ["first reader"])
        gate.open()
        for task in [first, writer, second] { try await task.value }
        #expect(order.values == ["first reader", "writer", "second reader"])
    }

    /// Two readers hold the lock at once.
    @Test func readersShareTheLock() async throws {
        let lock = SharedExclusiveLock()
        let inside = LockedArray<Int>()
        let gate = HandlerGate()
        let readers = (0..<2).map { index in
            Task {
                try await lock.withAccess(exclusive: false) {
                    inside.append(index)
                    await gate.wait()
                }
            }
        }
        // Both are inside before either leaves: had the lock kept them apart, this would never return.
        await inside.waitFor(count: 2)
        gate.open()
        for reader in readers { try await reader.value }
        #expect(Set(inside.values) == [0, 1])
    }

    /// A writer whose wait is cancelled throws and stops holding readers back.
    @Test func aCancelledWriterStopsWaitingAndLetsReadersIn() async throws {
        let lock = SharedExclusiveLock()
        let gate = HandlerGate()
        let holder = Task { try await lock.withAccess(exclusive: false) { await gate.wait() } }
        let writer = Task { try await lock.withAccess(exclusive: true) {} }
        await lock.waitForExclusiveWaiters(1)
        writer.cancel()
        await #expect(throws: CancellationError.self) { try await writer.value }
        let entered = LockedArray<String>()
        try await lock.withAccess(exclusive: false) { entered.append("second reader") }
        #expect(entered.values == ["second reader"], "a reader gets in beside the first once the writer gave up")
        gate.open()
        try await holder.value
    }
}
