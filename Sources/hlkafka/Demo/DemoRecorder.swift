import HighlightPropagation
import Instrumentation
import HighlightSynchronization
import W3CTraceContext
import Synchronization

/// What the demo saw of each simulated request, hop by hop, for the summary table.
final class DemoRecorder: Sendable {
    struct Journey: Sendable {
        var session: String
        var requestID: String
        var sentTraceParent: Bool
        var traceIDs: [String] = []
        var hops: [String] = []
        var error: String?
        var errorSession: String?
    }

    private let journeys = Locked<[String: Journey]>([:])
    private let order = Locked<[String]>([])
    /// Whoever waits for the worker to reach a number of requests.
    private let workerWaiters = ConditionWaiters()

    func started(session: String, requestID: String, sentTraceParent: Bool) {
        journeys.withLock { $0[requestID] = Journey(session: session, requestID: requestID, sentTraceParent: sentTraceParent) }
        order.withLock { $0.append(requestID) }
    }

    /// Records that the current task (a handler inside a restored context) is hop `hop` of its request.
    func hop(_ hop: String) {
        guard let context = ServiceContext.current, let request = context.highlightRequest, let id = request.requestID else { return }
        let traceID = context.outgoingTraceContext().map { "\($0.traceID)" }
        journeys.withLock { journeys in
            journeys[id]?.hops.append(hop)
            if let traceID { journeys[id]?.traceIDs.append(traceID) }
        }
        workerWaiters.conditionsChanged()
    }

    /// Records an error reported inside the current context.
    func error(_ description: String) {
        guard let context = ServiceContext.current, let request = context.highlightRequest, let id = request.requestID else { return }
        journeys.withLock { journeys in
            journeys[id]?.error = description
            journeys[id]?.errorSession = request.sessionSecureID
        }
        workerWaiters.conditionsChanged()
    }

    var all: [Journey] {
        let ids = order.withLock { $0 }
        return journeys.withLock { journeys in ids.compactMap { journeys[$0] } }
    }

    /// Returns true once `count` requests reached the worker (handled, or failed and reported), false after `limit`.
    func waitForWorker(count: Int, atMost limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.workerWaiters.wait { self.workerDone(count: count) }
                return self.workerDone(count: count)
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    func workerDone(count: Int) -> Bool {
        journeys.withLock { $0.values.filter { $0.hops.contains("worker") || $0.error != nil }.count >= count }
    }
}
