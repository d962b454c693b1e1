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
        /// The worker's handler returned.
        var handled = false

        /// The worker is done with it: handled, or failed and reported.
        var reachedTheEnd: Bool { handled || error != nil }
    }

    /// How many journeys are kept (the oldest go first): `demo --serve` may take requests for as long as it runs.
    static let capacity = 1_000

    private let journeys = Locked<[String: Journey]>([:])
    private let order = Locked<[String]>([])
    /// Whoever waits for the worker to reach a number of requests.
    private let workerWaiters = ConditionWaiters()
    /// Whether each hop is printed as it happens (`demo --serve`: requests come from outside).
    private let narrating: Bool

    init(narrating: Bool = false) {
        self.narrating = narrating
    }

    func started(session: String, requestID: String, sentTraceParent: Bool) {
        add(Journey(session: session, requestID: requestID, sentTraceParent: sentTraceParent))
    }

    private func add(_ journey: Journey) {
        journeys.withLock { $0[journey.requestID] = journey }
        remember(journey.requestID)
    }

    /// Keeps the order requests came in, forgetting the oldest journey past ``capacity``.
    private func remember(_ requestID: String) {
        let dropped = order.withLock { order -> String? in
            order.append(requestID)
            return order.count > Self.capacity ? order.removeFirst() : nil
        }
        if let dropped { journeys.withLock { $0[dropped] = nil } }
    }

    /// Records that the current task (a handler inside a restored context) is hop `hop` of its request. The first hop
    /// of a request no simulated browser announced (a real browser's, with `--serve`) starts its journey.
    func hop(_ hop: String) {
        guard let context = ServiceContext.current, let request = context.highlightRequest, let id = request.requestID else { return }
        let traceID = context.outgoingTraceContext().map { "\($0.traceID)" }
        let isNew = journeys.withLock { journeys in
            let isNew = journeys[id] == nil
            if isNew { journeys[id] = Journey(session: request.sessionSecureID, requestID: id, sentTraceParent: false) }
            journeys[id]?.hops.append(hop)
            if let traceID { journeys[id]?.traceIDs.append(traceID) }
            return isNew
        }
        if isNew { remember(id) }
        workerWaiters.conditionsChanged()
        if narrating { DemoCommand.progress("\(hop): session=\(request.sessionSecureID) request=\(id) trace=\(traceID ?? "-")") }
    }

    /// Records that the worker's handler returned for the current context's request.
    func handled() {
        guard let id = ServiceContext.current?.highlightRequest?.requestID else { return }
        journeys.withLock { $0[id]?.handled = true }
        workerWaiters.conditionsChanged()
    }

    /// The journey of `requestID` once the worker is done with it, or as it stands after `limit`; `nil` when unknown.
    func journey(_ requestID: String, waitingAtMost limit: Duration) async -> Journey? {
        guard journeys.withLock({ $0[requestID] != nil }) else { return nil }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.workerWaiters.wait { self.journeys.withLock { $0[requestID]?.reachedTheEnd ?? true } } }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
        return journeys.withLock { $0[requestID] }
    }

    /// Records an error reported inside the current context.
    func error(_ description: String) {
        guard let context = ServiceContext.current, let request = context.highlightRequest, let id = request.requestID else { return }
        journeys.withLock { journeys in
            journeys[id]?.error = description
            journeys[id]?.errorSession = request.sessionSecureID
        }
        workerWaiters.conditionsChanged()
        if narrating { DemoCommand.progress("error: session=\(request.sessionSecureID) request=\(id) \(description)") }
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
        journeys.withLock { $0.values.filter(\.reachedTheEnd).count >= count }
    }
}
