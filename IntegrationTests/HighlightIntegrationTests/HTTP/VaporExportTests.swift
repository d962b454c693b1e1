import Foundation
import Highlight
import HighlightPropagation
import HighlightSynchronization
import HighlightVapor
import Instrumentation
import Synchronization
import Testing
import Tracing
import Vapor
import W3CTraceContext

/// `HighlightVapor` with the facade bootstrapped (`H.bootstrap`, exporting to this process's OTLP receiver): what
/// highlight receives from a Vapor service.
@Suite("Vapor export", .timeLimit(.minutes(2)), .readsSharedReceiver)
struct VaporExportTests {
    struct Declined: Error, CustomStringConvertible {
        let marker: String
        var description: String { "payment declined (\(marker))" }
    }

    /// Ends a span in `traceID` after the request and flushes: spans are exported in the order they ended, so once it
    /// arrives every span the request ended before it has arrived too.
    static func waitForTrace(_ traceID: String, receiver: OTLPTestReceiver) async throws -> [OTLPTestReceiver.ExportedSpan] {
        let sentinel = ServiceContext.extract(from: ["traceparent": "00-\(traceID)-00f067aa0ba902b7-01"])
        InstrumentationSystem.tracer.startSpan("sentinel", context: sentinel).end()
        Highlight.flush()
        try await withTimeout(.seconds(60)) {
            await receiver.waitForSpans { spans in spans.contains { $0.traceID == traceID && $0.name == "sentinel" } }
        }
        return receiver.spans.filter { $0.traceID == traceID && $0.name != "sentinel" }
    }

    static func newTraceID() -> String { UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    @Test func aThrownServerErrorIsReportedOnceLinkedToTheSessionAndAClientErrorNotAtAll() async throws {
        let receiver = try await TestHighlight.ready()
        let session = "vaporErr\(UUID().uuidString.prefix(8))"
        let marker = UUID().uuidString
        try await VaporTestApp.with { app in
            app.middleware.use(HighlightVaporMiddleware())
            app.post("pay") { _ async throws -> HTTPStatus in throw Declined(marker: marker) }
            app.post("bad") { _ async throws -> HTTPStatus in throw Abort(.badRequest, reason: "client error \(marker)") }
        } _: { base in
            let failed = try await VaporTestApp.send("\(base)/pay", method: .POST, headers: [("x-highlight-request", "\(session)/pay1")])
            #expect(failed.status == .internalServerError)
            let refused = try await VaporTestApp.send("\(base)/bad", method: .POST, headers: [("x-highlight-request", "\(session)/bad1")])
            #expect(refused.status == .badRequest)
        }
        let traceID = Self.newTraceID()
        _ = try await Self.waitForTrace(traceID, receiver: receiver)
        let exceptions = receiver.records.filter { $0.name == "exception" && $0.attributes["highlight.session_id"] == session }
        #expect(exceptions.count == 1, "one report per error: \(exceptions.map(\.attributes))")
        let error = try #require(exceptions.first)
        #expect(error.attributes["highlight.trace_id"] == "pay1")
        #expect(error.attributes["exception.message"] == "payment declined (\(marker))")
        #expect(!receiver.records.contains { $0.attributes["exception.message"]?.contains("client error \(marker)") == true })
    }

    @Test func vaporsTracingMiddlewareAndThisOneTogetherKeepOneTraceOneServerSpanAndTheSession() async throws {
        let receiver = try await TestHighlight.ready()
        let session = "vaporBoth\(UUID().uuidString.prefix(8))"
        let traceID = Self.newTraceID()
        let seen = Locked<(session: String?, traceID: String?)>((nil, nil))
        try await VaporTestApp.with { app in
            app.middleware.use(TracingMiddleware())
            app.middleware.use(HighlightVaporMiddleware())
            app.post("orders", ":id") { _ async -> HTTPStatus in
                let context = ServiceContext.current
                seen.withLock { $0 = (context?.highlightRequest?.sessionSecureID, context?.outgoingTraceContext().map { "\($0.traceID)" }) }
                return .accepted
            }
        } _: { base in
            let response = try await VaporTestApp.send("\(base)/orders/9", method: .POST, headers: [
                ("x-highlight-request", "\(session)/r9"), ("traceparent", "00-\(traceID)-00f067aa0ba902b7-01"),
            ])
            #expect(response.status == .accepted)
        }
        #expect(seen.withLock { $0.session } == session)
        #expect(seen.withLock { $0.traceID } == traceID)
        let spans = try await Self.waitForTrace(traceID, receiver: receiver)
        #expect(spans.count == 1, "one SERVER span, not one per middleware: \(spans.map(\.name))")
        #expect(spans.first?.name == "POST /orders/:id")
        #expect(spans.first?.attributes["highlight.session_id"] == session)
    }

    @Test func aloneItsServerSpanIsNamedByTheRouteAndCarriesTheSession() async throws {
        let receiver = try await TestHighlight.ready()
        let session = "vaporSpan\(UUID().uuidString.prefix(8))"
        let traceID = Self.newTraceID()
        try await VaporTestApp.with { app in
            app.middleware.use(HighlightVaporMiddleware())
            app.get("orders", ":id") { _ async -> HTTPStatus in .ok }
        } _: { base in
            let response = try await VaporTestApp.send("\(base)/orders/3", headers: [
                ("x-highlight-request", "\(session)/r3"), ("traceparent", "00-\(traceID)-00f067aa0ba902b7-01"),
            ])
            #expect(response.status == .ok)
        }
        let spans = try await Self.waitForTrace(traceID, receiver: receiver)
        #expect(spans.map(\.name) == ["GET /orders/:id"])
        #expect(spans.first?.attributes["highlight.session_id"] == session)
        #expect(spans.first?.attributes["highlight.trace_id"] == "r3")
        #expect(spans.first?.attributes["http.route"] == "/orders/:id")
        #expect(spans.first?.attributes["http.response.status_code"] == "200")
    }
}
