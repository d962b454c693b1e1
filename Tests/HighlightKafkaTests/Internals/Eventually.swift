import HighlightSynchronization
import Testing
import Synchronization

/// Lets other tasks run until `condition` holds: a wait on progress, never on time (it yields; it does not sleep).
/// Records a failure when the condition still does not hold after a million yields.
func eventually(_ what: Comment, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool) async {
    for _ in 0..<1_000_000 {
        if condition() { return }
        await Task.yield()
    }
    Issue.record("never happened: \(what)", sourceLocation: sourceLocation)
}

/// Waits for `task`, recording a failure instead of hanging the suite when it has not finished after `bound` (a
/// guard against a deadlock, never a measure of speed: what is awaited finishes in microseconds when correct). A task
/// stuck on a continuation nobody resumes cannot be awaited to its end, so the waits race outside any task group and
/// the loser is left behind.
/// - Returns: whether it finished (await its value only then).
@discardableResult
func finishes<Success: Sendable>(
    _ task: Task<Success, Never>,
    _ what: Comment,
    bound: Duration = .seconds(60),
    sourceLocation: SourceLocation = #_sourceLocation
) async -> Bool {
    let outcome = FirstOutcome()
    let done = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        outcome.set(continuation)
        Task {
            _ = await task.value
            outcome.resume(returning: true)
        }
        Task {
            try? await Task.sleep(for: bound)
            outcome.resume(returning: false)
        }
    }
    if !done {
        task.cancel()
        Issue.record("did not finish: \(what)", sourceLocation: sourceLocation)
    }
    return done
}

/// Resumes a continuation with the first of two outcomes.
private final class FirstOutcome: Sendable {
    private let slot = Locked<CheckedContinuation<Bool, Never>?>(nil)

    func set(_ continuation: CheckedContinuation<Bool, Never>) { slot.withLock { $0 = continuation } }

    func resume(returning value: Bool) { slot.withLock { $0.take() }?.resume(returning: value) }
}
