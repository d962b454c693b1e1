import W3CTraceContext
import AsyncHTTPClient
import Foundation
import HighlightAsyncHTTPClient
import HighlightHummingbird
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Hummingbird
import Instrumentation
import NIOHTTP1
import Testing

@Suite("HTTP propagation", .timeLimit(.minutes(2)))
struct HTTPPropagationTests {
    let propagator = HighlightPropagator(statistics: PropagationStatistics())
    static let browserTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let browserTraceParent = "00-\(browserTraceID)-00f067aa0ba902b7-01"

    struct Seen: Sendable {
        let hop: String
        let session: String?
        let request: String?
        let traceID: String?
    }

    func seen(_ hop: String, instrument: any Instrument) -> Seen {
        let context = ServiceContext.current
        return Seen(
            hop: hop,
            session: context?.highlightRequest?.sessionSecureID,
            request: context?.highlightRequest?.requestID,
            traceID: context?.outgoingTraceContext(instrument: instrument).map { "\($0.traceID)" }
        )
    }

    static func send(_ url: String, method: HTTPMethod = .GET, headers: [(String, String)]) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        // Only bounds a hang: a sanitized build makes the hops (a Kafka send among them) several times slower.
        return try await HighlightHTTPClient.sharedClient.execute(request, timeout: .seconds(30))
    }

    @Test func threeHopsHTTPToHTTPToKafkaToWorkerKeepOneSessionAndOneTrace() async throws {
        let topic = try await TestKafka.makeTopic("three-hops")
        let hops = LockedArray<Seen>()
        let thirdPartyHeaders = LockedArray<[String]>()
        let propagator = self.propagator

        // A third party the API also calls: it must never receive the context.
        let thirdPartyRouter = Router()
        thirdPartyRouter.get("track") { request, _ -> HTTPResponse.Status in
            thirdPartyHeaders.append(request.headers.map { $0.name.canonicalName })
            return .ok
        }
        let thirdParty = try await TestHTTPServer.start(thirdPartyRouter)
        defer { thirdParty.stop() }

        // Hop 2: inventory, which produces to Kafka.
        let producer = TracedKafkaProducer(producer: try TestKafka.producer(), configuration: .init(instrument: propagator))
        let inventoryRouter = Router()
        inventoryRouter.add(middleware: HighlightMiddleware(instrument: propagator))
        inventoryRouter.post("reserve") { _, _ -> HTTPResponse.Status in
            hops.append(seen("inventory", instrument: propagator))
            try await producer.send(KafkaProducerRecord(topic: topic, value: "reserved"))
            return .ok
        }
        let inventory = try await TestHTTPServer.start(inventoryRouter)
        defer { inventory.stop() }

        // Hop 1: the API, called by the browser; it calls inventory (allowed) and the third party (not allowed).
        let client = HighlightHTTPClient(tracingOrigins: TracingOrigins(["127.0.0.1:\(inventory.port)"]), instrument: propagator)
        let apiRouter = Router()
        apiRouter.add(middleware: HighlightMiddleware(instrument: propagator))
        apiRouter.post("orders") { _, _ -> HTTPResponse.Status in
            hops.append(seen("api", instrument: propagator))
            var reserve = HTTPClientRequest(url: "\(inventory.baseURL)/reserve")
            reserve.method = .POST
            // Bounds on hangs, under the test's own 30 s: the inventory's Kafka send took over 10 s under AddressSanitizer.
            _ = try await client.execute(reserve, timeout: .seconds(25))
            _ = try await client.execute(HTTPClientRequest(url: "\(thirdParty.baseURL)/track"), timeout: .seconds(25))
            return .accepted
        }
        let api = try await TestHTTPServer.start(apiRouter)
        defer { api.stop() }

        let response = try await Self.send("\(api.baseURL)/orders", method: .POST, headers: [
            ("x-highlight-request", "browserSession/browserRequest"), ("traceparent", Self.browserTraceParent),
        ])
        #expect(response.status == .accepted)
        await producer.shutdown()

        // The worker.
        let worker = TracedKafkaConsumer(
            consumer: try TestKafka.groupMember(topic: topic, group: "worker-\(topic)"),
            configuration: .init(errorPolicy: .stop, instrument: propagator),
            logger: TestKafka.logger
        )
        try await withTimeout(.seconds(60)) {
            try await worker.run { _ in
                hops.append(seen("worker", instrument: propagator))
                worker.triggerShutdown()
            }
        }

        let all = hops.values
        #expect(all.map(\.hop) == ["api", "inventory", "worker"])
        #expect(all.allSatisfy { $0.session == "browserSession" && $0.request == "browserRequest" })
        #expect(all.allSatisfy { $0.traceID == Self.browserTraceID }, "one trace id from the browser to the worker")
        let leaked = thirdPartyHeaders.values.flatMap { $0 }.filter { ["x-highlight-request", "traceparent", "tracestate", "baggage"].contains($0.lowercased()) }
        #expect(thirdPartyHeaders.values.count == 1)
        #expect(leaked.isEmpty, "nothing propagated outside the allowlist")
    }

    @Test func corsPreflightAllowsTheTracingHeadersForAllowedOriginsOnly() async throws {
        let router = Router()
        router.add(middleware: HighlightMiddleware(cors: HighlightCORSPolicy(allowedOrigins: .list(["https://app.example.com"])), instrument: propagator))
        router.post("orders") { _, _ -> HTTPResponse.Status in .ok }
        let server = try await TestHTTPServer.start(router)
        defer { server.stop() }

        let allowed = try await Self.send("\(server.baseURL)/orders", method: .OPTIONS, headers: [
            ("origin", "https://app.example.com"), ("access-control-request-method", "POST"),
            ("access-control-request-headers", "x-highlight-request, traceparent"),
        ])
        #expect(allowed.status == .noContent)
        #expect(allowed.headers.first(name: "access-control-allow-origin") == "https://app.example.com")
        let allowedHeaders = allowed.headers.first(name: "access-control-allow-headers") ?? ""
        for header in ["x-highlight-request", "traceparent", "tracestate", "baggage"] { #expect(allowedHeaders.contains(header)) }
        #expect(allowed.headers.first(name: "access-control-allow-methods")?.contains("POST") == true)

        let refused = try await Self.send("\(server.baseURL)/orders", method: .OPTIONS, headers: [
            ("origin", "https://evil.example.net"), ("access-control-request-method", "POST"),
        ])
        #expect(refused.headers.first(name: "access-control-allow-origin") == nil)

        let actual = try await Self.send("\(server.baseURL)/orders", method: .POST, headers: [("origin", "https://app.example.com")])
        #expect(actual.status == .ok)
        #expect(actual.headers.first(name: "access-control-allow-origin") == "https://app.example.com")
        #expect(actual.headers.first(name: "vary") == "Origin")
    }

    @Test(arguments: [
        ("http://inventory.internal/reserve", true),
        ("https://api.svc.cluster.local:8443/x", true),
        ("https://svc.cluster.local/x", false),
        ("http://localhost:8081/a", true),
        ("http://localhost:9999/a", false),
        ("https://payments.example.com/charge", false),
        ("http://user@inventory.internal/reserve", true),
        ("http://inventory.internal.evil.com/", false),
        ("not a url", false),
    ])
    func allowlistMatching(url: String, allowed: Bool) {
        let origins = TracingOrigins(["inventory.internal", "*.svc.cluster.local", "localhost:8081"])
        #expect(origins.allows(url: url) == allowed)
        #expect(TracingOrigins.none.allows(url: url) == false)
    }
}
