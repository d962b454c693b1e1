import Dispatch
import Synchronization

/// Tells a poll thread to stop, and lets others wait until it has.
final class PollThreadControl: Sendable {
    private let stopRequested = Atomic<Bool>(false)
    private let exited = DispatchSemaphore(value: 0)
    private let hasExited = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)

    /// Called before the thread starts; a control whose thread never started has nothing to wait for.
    func markStarted() { started.store(true, ordering: .releasing) }

    var shouldStop: Bool { stopRequested.load(ordering: .acquiring) }

    func requestStop() { stopRequested.store(true, ordering: .releasing) }

    /// Called by the thread as its last act.
    func markExited() {
        hasExited.store(true, ordering: .releasing)
        exited.signal()
    }

    /// Blocks until the thread has exited (at most one poll timeout after `requestStop`).
    func waitUntilExited() {
        guard started.load(ordering: .acquiring), !hasExited.load(ordering: .acquiring) else { return }
        exited.wait()
        exited.signal()  // let any other waiter through too
    }
}
