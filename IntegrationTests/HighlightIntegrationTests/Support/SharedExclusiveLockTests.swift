import HighlightSynchronization
import Synchronization
import Testing

/// The lock that keeps tests disrupting the shared OTLP receiver apart from the tests reading it
/// (``SharedReceiverAccess``). Each step is awaited through the lock's own state or a gate, never a sleep.
@Suite("Test support: the shared-or-exclusive lock", .timeLimit(.minutes(1)))
struct SharedExclusiveLockTests {
    /// A reader holds the lock; a writer waits for it; a reader arriving after the writer waits behind the writer.
    @Test func aWaitingWriterRunsBeforeAReaderThatCameAfterIt() async throws {
        let lock = SharedExclusiveLock()
        let order = Recorder<String>()
        let gate = Gate()
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
        let inside = Recorder<Int>()
        let gate = Gate()
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
        let gate = Gate()
        let holder = Task { try await lock.withAccess(exclusive: false) { await gate.wait() } }
        let writer = Task { try await lock.withAccess(exclusive: true) {} }
        await lock.waitForExclusiveWaiters(1)
        writer.cancel()
        await #expect(throws: CancellationError.self) { try await writer.value }
        let entered = Recorder<String>()
        try await lock.withAccess(exclusive: false) { entered.append("second reader") }
        #expect(entered.values == ["second reader"], "a reader gets in beside the first once the writer gave up")
        gate.open()
        try await holder.value
    }
}

/// Opened once; every waiter, before or after, goes on.
private final class Gate: Sendable {
    private let isOpen = Locked(false)
    private let waiters = ConditionWaiters()

    func wait() async { await waiters.wait { self.isOpen.withLock { $0 } } }

    func open() {
        isOpen.withLock { $0 = true }
        waiters.conditionsChanged()
    }
}

/// What the tasks did, in order, and a wait for it.
private final class Recorder<Element: Sendable>: Sendable {
    private let elements = Locked<[Element]>([])
    private let waiters = ConditionWaiters()

    var values: [Element] { elements.withLock { $0 } }

    func append(_ element: Element) {
        elements.withLock { $0.append(element) }
        waiters.conditionsChanged()
    }

    /// Returns once `count` elements are in (the suite's time limit bounds it).
    func waitFor(count: Int) async {
        await waiters.wait { self.elements.withLock { $0.count >= count } }
    }
}
