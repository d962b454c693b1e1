import Foundation
import Highlight
import HighlightPropagation
import HighlightSynchronization
import HighlightVapor
import InMemoryLogging
import Instrumentation
import Logging
import NIOHTTP1
import Synchronization
import Testing
import Tracing
import Vapor
import W3CTraceContext

/// `HighlightVapor` against real Vapor applications on loopback ports, sent real HTTP requests.
@Suite("Vapor", .timeLimit(.minutes(2)))
struct VaporTests {
    static let browserTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    struct Seen: Sendable {
        var session: String?
        var request: String?
        var traceID: String?
    }

    static func seen(instrument: any Instrument) -> Seen {
        let context = ServiceContext.current
        return Seen(
            session: context?.highlightRequest?.sessionSecureID,
            request: context?.highlightRequest?.requestID,
            traceID: context?.outgoingTraceContext(instrument: instrument).map { "\($0.traceID)" }
        )
    }

    @Test func theHandlerRunsInTheBrowsersSessionAndTraceAsyncOrEventLoopFuture() async throws {
        let propagator = HighlightPropagator(statistics: PropagationStatistics())
        let seen = LockedArray<Seen>()
        try await VaporTestApp.with { app in
            // Vapor restores request.serviceContext around EventLoopFuture handlers only with this on.
            app.traceAutoPropagation = true
            app.middleware.use(HighlightVaporMiddleware(instrument: propagator))
            app.post("orders", ":id") { _ async -> HTTPStatus in
                seen.append(Self.seen(instrument: propagator))
                return .accepted
            }
            // Runs on the event loop once the body is collected, outside any task: Vapor binds request.serviceContext.
            app.post("legacy") { request -> EventLoopFuture<HTTPStatus> in
                seen.append(Self.seen(instrument: propagator))
                return request.eventLoop.makeSucceededFuture(.ok)
            }
        } _: { base in
            let headers = [("x-highlight-request", "vaporSession1/req7"), ("traceparent", Self.browserTraceParent)]
            let first = try await VaporTestApp.send("\(base)/orders/7", method: .POST, headers: headers)
            let second = try await VaporTestApp.send("\(base)/legacy", method: .POST, headers: headers)
            #expect(first.status == .accepted && second.status == .ok)
        }
        #expect(seen.values.count == 2)
        for handler in seen.values {
            #expect(handler.session == "vaporSession1")
            #expect(handler.request == "req7")
            #expect(handler.traceID == "4bf92f3577b34da6a3ce929d0e0e4736", "the browser's trace continues")
        }
    }

    @Test func aPreflightFromAListedOriginMayCarryTheTracingHeadersAndAnUnlistedOneMayNot() async throws {
        try await VaporTestApp.with { app in
            let cors = try CORSMiddleware.Configuration.highlight(allowedOrigins: ["https://app.example.com"])
            app.middleware.use(CORSMiddleware(configuration: cors), at: .beginning)
            app.middleware.use(HighlightVaporMiddleware())
            app.post("orders") { _ in HTTPStatus.accepted }
        } _: { base in
            func preflight(from origin: String) async throws -> HTTPHeaders {
                try await VaporTestApp.send("\(base)/orders", method: .OPTIONS, headers: [
                    ("Origin", origin), ("Access-Control-Request-Method", "POST"),
                    ("Access-Control-Request-Headers", "x-highlight-request, traceparent, tracestate, baggage, content-type"),
                ]).headers
            }
            let listed = try await preflight(from: "https://app.example.com")
            #expect(listed.first(name: "access-control-allow-origin") == "https://app.example.com")
            let allowed = Set((listed.first(name: "access-control-allow-headers") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            #expect(allowed.isSuperset(of: ["x-highlight-request", "traceparent", "tracestate", "baggage", "content-type"]), "\(allowed)")
            #expect(listed.first(name: "access-control-allow-credentials") == nil, "credentials only when asked for")

            let unlisted = try await preflight(from: "https://evil.example")
            #expect(unlisted.first(name: "access-control-allow-origin") == nil, "the browser refuses an answer without it")
            let null = try await preflight(from: "null")
            #expect(null.first(name: "access-control-allow-origin") == nil)
        }
    }

    @Test(arguments: [
        ([String](), HighlightCORSError.Problem.noOrigins),
        (["*"], .wildcard),
        (["null"], .null),
        (["https://app.example.com/"], .malformed("an origin has no path, not even a trailing slash")),
        (["app.example.com"], .malformed("no scheme://")),
        (["https://App.example.com"], .malformed("browsers send it in lowercase")),
    ])
    func anOriginABrowserNeverSendsIsRefusedWithWhatToWriteInstead(origins: [String], problem: HighlightCORSError.Problem) {
        #expect(throws: HighlightCORSError.self) { try CORSMiddleware.Configuration.highlight(allowedOrigins: origins) }
        do {
            _ = try CORSMiddleware.Configuration.highlight(allowedOrigins: origins)
        } catch {
            #expect(error.problem == problem)
            #expect(!error.description.isEmpty)
        }
    }

    @Test func reqClientCarriesTheSessionToAListedHostAndNothingToAnUnlistedOne() async throws {
        let propagator = HighlightPropagator(statistics: PropagationStatistics())
        let received = Locked<[String: HTTPHeaders]>([:])
        let downstream: (Application) async throws -> Void = { app in
            app.get("listed") { request in received.withLock { $0["listed"] = request.headers }; return HTTPStatus.ok }
            app.get("unlisted") { request in received.withLock { $0["unlisted"] = request.headers }; return HTTPStatus.ok }
        }
        try await VaporTestApp.with(configure: downstream) { downstreamBase in
            let listedHost = String(downstreamBase.dropFirst("http://".count))
            // The same server under two names: 127.0.0.1:port is listed, localhost:port is not.
            let unlistedBase = downstreamBase.replacingOccurrences(of: "127.0.0.1", with: "localhost")
            try await VaporTestApp.with { app in
                app.clients.use(.highlight(tracingOrigins: TracingOrigins([listedHost]), instrument: propagator))
                app.middleware.use(HighlightVaporMiddleware(instrument: propagator))
                app.get("checkout") { request async throws -> HTTPStatus in
                    _ = try await request.client.get(URI(string: "\(downstreamBase)/listed"))
                    _ = try await request.client.get(URI(string: "\(unlistedBase)/unlisted"))
                    return .ok
                }
            } _: { base in
                let response = try await VaporTestApp.send("\(base)/checkout", headers: [
                    ("x-highlight-request", "vaporSession2/req1"), ("traceparent", Self.browserTraceParent),
                    ("baggage", "tenant=acme"),
                ])
                #expect(response.status == .ok)
            }
        }
        let headers = received.withLock { $0 }
        let listed = try #require(headers["listed"])
        #expect(listed.first(name: "x-highlight-request") == "vaporSession2/req1")
        #expect(listed.first(name: "traceparent")?.contains("4bf92f3577b34da6a3ce929d0e0e4736") == true)
        #expect(listed.first(name: "baggage")?.hasPrefix("tenant=acme") == true, "the browser's baggage goes on")
        let unlisted = try #require(headers["unlisted"])
        for name in PropagationHeader.all {
            #expect(unlisted.first(name: name) == nil, "\(name) must not leave for an unlisted host")
        }
    }

    @Test func hostileHeaderValuesAreRefusedCountedAndNeverLogged() async throws {
        let statistics = PropagationStatistics()
        let propagator = HighlightPropagator(statistics: statistics)
        let logs = InMemoryLogHandler()
        let seen = LockedArray<Seen>()
        let oversize = "s" + String(repeating: "x", count: 20_000) + "/r"
        try await VaporTestApp.with { app in
            app.logger = Logger(label: "vapor-test") { _ in logs }
            // Debug, not trace: at trace level Vapor itself logs every request head, header values included.
            app.logger.logLevel = .debug
            app.middleware.use(HighlightVaporMiddleware(instrument: propagator))
            app.get("ping") { _ async -> HTTPStatus in
                seen.append(Self.seen(instrument: propagator))
                return .ok
            }
        } _: { base in
            for headers in [
                [("x-highlight-request", oversize)],
                [("x-highlight-request", "sess ion/r1"), ("traceparent", "00-zz-yy-01")],
                [("x-highlight-request", "/onlyARequest"), ("traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01")],
            ] {
                let response = try await VaporTestApp.send("\(base)/ping", headers: headers)
                #expect(response.status == .ok, "a bad header never fails the request")
            }
        }
        #expect(seen.values.count == 3)
        #expect(seen.values.allSatisfy { $0.session == nil }, "no session from a refused value")
        #expect(!seen.values.contains { $0.traceID == "00000000000000000000000000000000" }, "an all-zero trace id is invalid")
        #expect(statistics.snapshot.totalRejections >= 4, "\(statistics.snapshot)")
        let logged = logs.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        for secret in ["xxxxxxxxxx", "sess ion", "onlyARequest", "00-zz-yy-01"] {
            #expect(!logged.contains(secret), "a header value reached the log: \(secret)")
        }
    }
}
