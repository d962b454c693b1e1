import Dispatch
import Synchronization

/// Who serves a producer's delivery reports, and when: while tasks are sending, the sending task itself, on every 64th
/// send, as librdkafka advises (serve from the thread that produces); otherwise the producer's poll thread, as soon as
/// reports arrive.
///
/// Why the sender serves too: serving a report frees the message, its headers and its pending send, all allocated by
/// the sender. Freed on another thread, every one of those frees takes the malloc arena lock the sender's allocations
/// take too; at a few hundred thousand messages a second the two threads then spend much of their time asleep on that
/// lock (profiled: 76% of the sender's context switches in a slow run were waits on it). Freed where they were
/// allocated, they go back to the sender's own cache.
///
/// One server at a time, so reports are handled in the order librdkafka queued them.
final class DeliveryReportServing: Sendable {
    private let serving = Mutex(())
    /// Signalled by librdkafka whenever its report queue stops being empty.
    private let arrived = DispatchSemaphore(value: 0)
    private let sends = Atomic<UInt64>(0)
    /// A sender served since the poll thread's last turn.
    private let senderServed = Atomic<Bool>(false)

    /// How often a sender serves: on one send in this many.
    static let sendsPerServing: UInt64 = 64

    /// Called from librdkafka's own threads when the report queue stops being empty: must not block or call back into
    /// librdkafka.
    func reportsArrived() {
        arrived.signal()
    }

    /// The poll thread's turn. Blocking: waits until reports arrive (at most 100 ms, to let the thread notice a stop
    /// request), then serves them, unless a sender can: one that has served since the last turn (the next turn then
    /// comes within 10 ms, so the last reports of a burst wait at most that long), or one waiting for room (it is woken
    /// and serves them itself).
    ///
    /// - Returns: how many events were served.
    func pollThreadTurn(sendersWaiting: () -> Bool, wakeSenders: () -> Void, _ pollOnce: () -> Int) -> Int {
        let senderWasServing = senderServed.exchange(false, ordering: .relaxed)
        _ = arrived.wait(timeout: .now() + .milliseconds(senderWasServing ? 10 : 100))
        // A sender waiting for room serves the reports that make it as soon as it is woken.
        if sendersWaiting() {
            wakeSenders()
            return 0
        }
        if senderServed.load(ordering: .relaxed) { return 0 }
        return serve(pollOnce)
    }

    /// Serves with `pollOnce` (a poll that does not wait) until it finds nothing, once no other thread is serving.
    ///
    /// - Returns: how many events were served.
    func serve(_ pollOnce: () -> Int) -> Int {
        serving.withLock { _ in Self.drain(pollOnce) }
    }

    /// Runs `body`, a call that serves reports itself (librdkafka's flush polls until its queue is empty), as the only
    /// server: a poll thread or sender serving beside it took reports from the same queue on another thread, and the
    /// stream then received them out of librdkafka's order (seen in a loaded CI run).
    ///
    /// - Parameter body: the serving call; blocking is fine (it runs on a thread of its own).
    /// - Returns: what `body` returned.
    func servingAlone<Result>(_ body: () -> Result) -> Result {
        serving.withLock { _ in body() }
    }

    /// A sender's turn: the same as ``serve(_:)`` if no other thread is serving, nothing otherwise; never waits.
    ///
    /// - Parameter takingOver: the sender goes on sending, so the poll thread leaves the reports to it until it stops
    ///   (false for a sender about to wait for room: the poll thread must serve the reports that make the room).
    /// - Returns: how many events were served.
    func serveIfIdle(takingOver: Bool, _ pollOnce: () -> Int) -> Int {
        if takingOver { senderServed.store(true, ordering: .relaxed) }
        return serving.withLockIfAvailable { _ in Self.drain(pollOnce) } ?? 0
    }

    /// Counts a send; true on the sends that should serve.
    func countSend() -> Bool {
        sends.wrappingAdd(1, ordering: .relaxed).oldValue % Self.sendsPerServing == Self.sendsPerServing - 1
    }

    private static func drain(_ pollOnce: () -> Int) -> Int {
        var total = 0
        while true {
            let served = pollOnce()
            if served <= 0 { return total }
            total += served
        }
    }
}
