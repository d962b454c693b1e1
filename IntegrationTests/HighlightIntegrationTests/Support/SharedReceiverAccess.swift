import HighlightSynchronization
import Synchronization
import Testing

/// Who may use the process-wide exporter's receiver (``TestHighlight``) while a test runs.
///
/// Suites run in parallel, and the receiver is shared: while a test makes it fail or hold every request (a backend that
/// is down or never answers), whatever the exporter sends meanwhile is held, retried and, once the retries are spent,
/// dropped; a test in another suite that waits for its own spans or errors to arrive then waits in vain. On an idle
/// machine that window is a fraction of a second and rarely meets another test's export; under load it stretches.
/// `everySpanOfASessionBearingRequestCarriesTheSessionOverHTTPAndKafka` failed twice on its 60-second wait on a loaded
/// machine, and fails the same way when the window is stretched on purpose (12 s of failing backend in
/// `aBackendThatFailsCostsTheCallerNothingButCountedDrops`, both suites run together: failed after 64 s); with these
/// traits the failing test waited for it, and both passed.
///
/// A suite whose tests read what reached the receiver takes it ``readsSharedReceiver`` (any number of suites at once); a
/// suite whose tests change its behaviour takes it ``disruptsSharedReceiver`` (alone). A disrupting suite that waits
/// keeps new readers from starting, so it is not starved.
///
/// Only suites take it: the test runner counts a test's wait for a scope trait against the test's time limit, and a
/// test waiting there holds one of the runner's parallel slots (twice the processor count: four on a two-core CI
/// machine). With the trait on tests, a disrupting test waited for every running reading suite to end, all within its
/// own two-minute limit, while those suites' tests shared the slots left with the rest of the run. A suite's scope is
/// taken before any of its tests starts, outside their limits and slots.
struct SharedReceiverAccess: SuiteTrait, TestScoping {
    enum Mode: Sendable { case reading, disrupting }

    let mode: Mode

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await Self.lock.withAccess(exclusive: mode == .disrupting, function)
    }

    private static let lock = SharedExclusiveLock()
}

extension Trait where Self == SharedReceiverAccess {
    /// The suite's tests read what the process-wide exporter sent to the shared receiver: the suite runs while no suite
    /// makes that receiver fail or hold.
    static var readsSharedReceiver: Self { SharedReceiverAccess(mode: .reading) }

    /// The suite's tests make the shared receiver fail or hold requests: the suite runs while no suite reads from it.
    static var disruptsSharedReceiver: Self { SharedReceiverAccess(mode: .disrupting) }
}

/// A lock held shared by any number of tasks or exclusively by one, awaited without blocking a thread; a task waiting
/// for it exclusively keeps new shared holders out. A cancelled wait throws `CancellationError`.
final class SharedExclusiveLock: Sendable {
    private struct State {
        var sharedHolders = 0
        var exclusivelyHeld = false
        var exclusiveWaiters = 0
    }

    private let state = Locked(State())
    private let waiters = ConditionWaiters()

    /// Runs `body` holding the lock (exclusively or shared), and lets it go however `body` ends.
    func withAccess(exclusive: Bool, _ body: @Sendable () async throws -> Void) async throws {
        if exclusive { try await acquireExclusive() } else { try await acquireShared() }
        defer { release(exclusive: exclusive) }
        try await body()
    }

    private func acquireShared() async throws {
        while true {
            await waiters.wait { self.state.withLock { !$0.exclusivelyHeld && $0.exclusiveWaiters == 0 } }
            try Task.checkCancellation()
            let acquired = state.withLock { state -> Bool in
                guard !state.exclusivelyHeld && state.exclusiveWaiters == 0 else { return false }
                state.sharedHolders += 1
                return true
            }
            if acquired { return }
        }
    }

    /// Returns once `count` tasks wait to hold the lock exclusively (or when the task is cancelled).
    func waitForExclusiveWaiters(_ count: Int) async {
        await waiters.wait { self.state.withLock { $0.exclusiveWaiters >= count } }
    }

    private func acquireExclusive() async throws {
        state.withLock { $0.exclusiveWaiters += 1 }
        waiters.conditionsChanged()
        while true {
            await waiters.wait { self.state.withLock { !$0.exclusivelyHeld && $0.sharedHolders == 0 } }
            if Task.isCancelled {
                state.withLock { $0.exclusiveWaiters -= 1 }
                waiters.conditionsChanged()
                throw CancellationError()
            }
            let acquired = state.withLock { state -> Bool in
                guard !state.exclusivelyHeld && state.sharedHolders == 0 else { return false }
                state.exclusivelyHeld = true
                state.exclusiveWaiters -= 1
                return true
            }
            if acquired { return }
        }
    }

    private func release(exclusive: Bool) {
        state.withLock { state in
            if exclusive { state.exclusivelyHeld = false } else { state.sharedHolders -= 1 }
        }
        waiters.conditionsChanged()
    }
}
