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
    }

    /// Records an error reported inside the current context.
    func error(_ description: String) {
        guard let context = ServiceContext.current, let request = context.highlightRequest, let id = request.requestID else { return }
        journeys.withLock { journeys in
            journeys[id]?.error = description
            journeys[id]?.errorSession = request.sessionSecureID
        }
    }

    var all: [Journey] {
        let ids = order.withLock { $0 }
        return journeys.withLock { journeys in ids.compactMap { journeys[$0] } }
    }

    func workerDone(count: Int) -> Bool {
        journeys.withLock { $0.values.filter { $0.hops.contains("worker") || $0.error != nil }.count >= count }
    }
}
