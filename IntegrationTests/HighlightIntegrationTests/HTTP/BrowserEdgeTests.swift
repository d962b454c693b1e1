import AsyncHTTPClient
import HighlightHummingbird
import HighlightPropagation
import Hummingbird
import InMemoryTracing
import NIOHTTP1
import Testing
import Tracing

/// The first hop of the fullstack mapping, as a browser and a security reviewer see it: which origins get the CORS
/// answer that lets the browser SDK's tracing headers through, and what the SERVER span records.
@Suite("Browser edge: CORS and server spans", .timeLimit(.minutes(2)))
struct BrowserEdgeTests {
    static let app = "https://app.example.com"
    let propagator = HighlightPropagator(statistics: PropagationStatistics())

    struct Boom: Error {}

    /// A server with the middleware under `policy`: `POST /orders/{id}` answers 200, `/missing/{id}` throws a 404,
    /// `/broken` throws a plain error, `/cached` sets its own `Vary`.
    func server(_ policy: HighlightCORSPolicy) async throws -> TestHTTPServer {
        let router = Router()
        router.add(middleware: HighlightMiddleware(cors: policy, instrument: propagator))
        router.post("orders/{id}") { _, _ -> HTTPResponse.Status in .ok }
        router.get("missing/{id}") { _, _ -> HTTPResponse.Status in throw HTTPError(.notFound) }
        router.get("broken") { _, _ -> HTTPResponse.Status in throw Boom() }
        router.get("cached") { _, _ -> Response in
            var response = Response(status: .ok)
            response.headers[.vary] = "Accept-Encoding"
            return response
        }
        return try await TestHTTPServer.start(router)
    }

    func preflight(_ server: TestHTTPServer, origin: String) async throws -> HTTPClientResponse {
        try await HTTPPropagationTests.send("\(server.baseURL)/orders/1", method: .OPTIONS, headers: [
            ("origin", origin), ("access-control-request-method", "POST"),
            ("access-control-request-headers", "x-highlight-request, traceparent, content-type"),
        ])
    }

    static let allowHeaderNames = [
        "access-control-allow-origin", "access-control-allow-headers", "access-control-allow-methods",
        "access-control-allow-credentials", "access-control-max-age",
    ]

    @Test func aPreflightFromAnUnlistedOriginGetsNoAllowHeadersAtAll() async throws {
        let server = try await server(HighlightCORSPolicy(allowedOrigins: .list([Self.app]), allowCredentials: true))
        defer { server.stop() }
        for origin in ["https://evil.example.net", "null", "https://app.example.com.evil.net", "http://app.example.com"] {
            let refused = try await preflight(server, origin: origin)
            for name in Self.allowHeaderNames { #expect(refused.headers.first(name: name) == nil, "\(origin): \(name)") }
            #expect(refused.headers[canonicalForm: "vary"].contains("Origin"), "the answer depends on the origin")
        }
        let allowed = try await preflight(server, origin: Self.app)
        #expect(allowed.headers.first(name: "access-control-allow-origin") == Self.app)
        #expect(allowed.headers.first(name: "access-control-allow-credentials") == "true", "credentials for a listed origin")
        // Exactly the tracing headers and the configured ones.
        #expect(allowed.headers.first(name: "access-control-allow-headers") == (PropagationHeader.all + ["content-type"]).joined(separator: ", "))
    }

    @Test func anyOriginIsAnsweredWithAStarAndNeverWithCredentials() async throws {
        let server = try await server(HighlightCORSPolicy(allowedOrigins: .any, allowCredentials: true))
        defer { server.stop() }
        let answer = try await preflight(server, origin: "https://anyone.example.org")
        #expect(answer.headers.first(name: "access-control-allow-origin") == "*")
        #expect(answer.headers.first(name: "access-control-allow-credentials") == nil)
        let actual = try await HTTPPropagationTests.send("\(server.baseURL)/orders/1", method: .POST, headers: [("origin", "https://anyone.example.org")])
        #expect(actual.headers.first(name: "access-control-allow-origin") == "*")
        #expect(actual.headers.first(name: "access-control-allow-credentials") == nil)
        let null = try await preflight(server, origin: "null")
        #expect(null.headers.first(name: "access-control-allow-origin") == nil, "the null origin is refused even by .any")
    }

    @Test func credentialsAreOffUnlessAskedFor() async throws {
        let server = try await server(HighlightCORSPolicy(allowedOrigins: .custom { $0.hasSuffix(".example.com") }))
        defer { server.stop() }
        let answer = try await preflight(server, origin: "https://shop.example.com")
        #expect(answer.headers.first(name: "access-control-allow-origin") == "https://shop.example.com")
        #expect(answer.headers.first(name: "access-control-allow-credentials") == nil)
    }

    /// A browser shows the page a response only with the CORS headers: errors get them too, with their own status.
    @Test func errorResponsesCarryTheCORSAnswerAndVaryIsAppended() async throws {
        let server = try await server(HighlightCORSPolicy(allowedOrigins: .list([Self.app])))
        defer { server.stop() }
        let notFound = try await HTTPPropagationTests.send("\(server.baseURL)/missing/7", headers: [("origin", Self.app)])
        #expect(notFound.status == .notFound)
        #expect(notFound.headers.first(name: "access-control-allow-origin") == Self.app)
        let broken = try await HTTPPropagationTests.send("\(server.baseURL)/broken", headers: [("origin", Self.app)])
        #expect(broken.status == .internalServerError)
        #expect(broken.headers.first(name: "access-control-allow-origin") == Self.app)
        let cached = try await HTTPPropagationTests.send("\(server.baseURL)/cached", headers: [("origin", Self.app)])
        let vary = cached.headers[canonicalForm: "vary"]
        #expect(vary.contains("Accept-Encoding") && vary.contains("Origin"), "the handler's Vary is kept: \(vary)")
    }

    /// Server spans are named by the matched route, never by the raw path, carry the HTTP attributes and the session,
    /// and a client error does not fail them.
    @Test func serverSpansAreNamedByTheRouteAndCarryTheSession() async throws {
        let tracer = InMemoryTracer()
        try await withTracer(tracer) {
            let server = try await server(.sameOrigin)
            defer { server.stop() }
            for id in ["41", "42"] {
                _ = try await HTTPPropagationTests.send("\(server.baseURL)/orders/\(id)", method: .POST, headers: [
                    ("x-highlight-request", "pageSession/request\(id)"), ("user-agent", "browser-edge-test"),
                ])
            }
            _ = try await HTTPPropagationTests.send("\(server.baseURL)/missing/1", headers: [])
            _ = try await HTTPPropagationTests.send("\(server.baseURL)/broken", headers: [])
        }
        let spans = tracer.finishedSpans
        let orders = spans.filter { $0.operationName == "POST /orders/{id}" }
        #expect(orders.count == 2, "\(spans.map(\.operationName))")
        #expect(!spans.contains { $0.operationName.contains("/orders/4") }, "no span is named by the raw path")
        for span in orders {
            #expect(span.kind == .server)
            #expect(span.attributes["http.route"]?.toSpanAttribute() == "/orders/{id}".toSpanAttribute())
            #expect(span.attributes["http.request.method"]?.toSpanAttribute() == "POST".toSpanAttribute())
            #expect(span.attributes["http.response.status_code"]?.toSpanAttribute() == 200.toSpanAttribute())
            #expect(span.attributes["user_agent.original"]?.toSpanAttribute() == "browser-edge-test".toSpanAttribute())
            #expect(span.attributes[HighlightSessionAttribute.sessionID]?.toSpanAttribute() == "pageSession".toSpanAttribute())
        }
        let requests = orders.compactMap { span -> String? in
            guard case .string(let value) = span.attributes[HighlightSessionAttribute.requestID]?.toSpanAttribute() else { return nil }
            return value
        }
        #expect(requests.sorted() == ["request41", "request42"])
        let missing = try #require(spans.first { $0.operationName == "GET /missing/{id}" })
        #expect(missing.attributes["http.response.status_code"]?.toSpanAttribute() == 404.toSpanAttribute())
        #expect(missing.status?.code != .error, "a 404 is the client's error")
        #expect(missing.attributes[HighlightSessionAttribute.sessionID] == nil, "no session, no attribute")
        let broken = try #require(spans.first { $0.operationName == "GET /broken" })
        #expect(broken.status?.code == .error)
        #expect(broken.attributes["http.response.status_code"]?.toSpanAttribute() == 500.toSpanAttribute())
    }
}
