#if SWIFT_OTEL
import AsyncHTTPClient
import HighlightSynchronization
import Synchronization
import HighlightAsyncHTTPClient
import HighlightHummingbird
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Hummingbird
import NIOHTTP1
import Instrumentation
import OTel
import ServiceLifecycle
import Testing
import Tracing

/// swift-otel stays usable instead of this package's tracer: a user bootstraps it composed with the propagator, and
/// the session, the trace and the spans still flow (here with explicit instruments, as the process is bootstrapped
/// with H.bootstrap by the other tests).
@Suite("swift-otel as the alternative tracer", .timeLimit(.minutes(1)))
struct SwiftOTelAlternativeTests {
    /// swift-otel's tracer and its service, exporting spans (OTLP/HTTP JSON, 100 ms batches) to `receiver`.
    static func backend(serviceName: String, exportingTo receiver: OTLPTestReceiver) throws -> (any Tracer, any Service) {
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpJSON
        configuration.traces.otlpExporter.compression = .none
        configuration.traces.otlpExporter.endpoint = receiver.endpoint + "/v1/traces"
        configuration.traces.batchSpanProcessor.scheduleDelay = .milliseconds(100)
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        keptAlive.withLock { $0 += [backend.0, backend.1] }
        return backend
    }

    /// The backends this suite makes, kept for the life of the process. swift-otel 1.6's OTLP/HTTP exporter shuts its
    /// HTTPClient down synchronously in `deinit`, which traps ("syncShutdown() must not be called when on an
    /// EventLoop") when the last reference goes on an event loop, as it did once when a server of the test released
    /// the instrument holding the tracer there.
    static let keptAlive = Locked<[any Sendable]>([])

    @Test func swiftOTelComposedWithThePropagatorKeepsTheSessionAndExportsItsSpans() async throws {
        let receiver = try await OTLPTestReceiver.start()
        let (tracer, service) = try Self.backend(serviceName: "otel-alternative", exportingTo: receiver)
        let instrument = HighlightPropagator().combined(with: tracer)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            let parent = ServiceContext.extract(
                from: ["x-highlight-request": "otelSession/otelRequest", "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
                instrument: instrument
            )
            let span = tracer.startSpan("otel work", context: parent, ofKind: .server)
            var outbound: [String: String] = [:]
            span.context.inject(into: &outbound, using: DictionaryInjector(), instrument: instrument)
            #expect(outbound["x-highlight-request"] == "otelSession/otelRequest")
            #expect(outbound["traceparent"]?.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-") == true)
            #expect(outbound["traceparent"]?.contains("00f067aa0ba902b7") == false, "swift-otel's own span id is sent")
            #expect(span.context.highlightRequest?.sessionSecureID == "otelSession")
            span.addEvent(SpanEvent(name: "exception", attributes: ["exception.message": "from swift-otel", "highlight.session_id": "otelSession"]))
            span.end()

            let records = try await receiver.waitFor(timeout: .seconds(30)) { records in
                records.contains { $0.attributes["exception.message"] == "from swift-otel" }
            }
            let event = try #require(records.first { $0.attributes["exception.message"] == "from swift-otel" })
            #expect(event.attributes["span.name"] == "otel work")
            #expect(event.attributes["service.name"] == "otel-alternative")
            group.cancelAll()
        }
    }

    /// swift-otel's spans carry the session too, on every span the request causes, as exported by swift-otel's own
    /// OTLP exporter: the API's SERVER span, its CLIENT call, the inventory's SERVER span, the Kafka `send` and the
    /// worker's `process`.
    @Test func swiftOTelSpansCarryTheSession() async throws {
        let receiver = try await OTLPTestReceiver.start()
        let (tracer, service) = try Self.backend(serviceName: "otel-session", exportingTo: receiver)
        let instrument = HighlightPropagator().combined(with: tracer)
        let topic = try await TestKafka.makeTopic("otel-session")
        let traceID = "5bf92f3577b34da6a3ce929d0e0e4737"

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            try await withTracer(tracer) {
                let producer = TracedKafkaProducer(producer: try TestKafka.producer(), configuration: .init(instrument: instrument))
                let inventoryRouter = Router()
                inventoryRouter.add(middleware: HighlightMiddleware(instrument: instrument))
                inventoryRouter.post("reserve") { _, _ -> HTTPResponse.Status in
                    try await producer.send(KafkaProducerRecord(topic: topic, value: "order"))
                    return .ok
                }
                let inventory = try await TestHTTPServer.start(inventoryRouter)
                defer { inventory.stop() }
                let client = HighlightHTTPClient(tracingOrigins: TracingOrigins(["127.0.0.1:\(inventory.port)"]), instrument: instrument)
                let router = Router()
                router.add(middleware: HighlightMiddleware(instrument: instrument))
                router.post("orders/{id}") { _, _ -> HTTPResponse.Status in
                    var reserve = HTTPClientRequest(url: "\(inventory.baseURL)/reserve")
                    reserve.method = .POST
                    _ = try await client.execute(reserve, timeout: .seconds(10))
                    return .ok
                }
                let server = try await TestHTTPServer.start(router)
                defer { server.stop() }
                let response = try await HTTPPropagationTests.send("\(server.baseURL)/orders/1", method: .POST, headers: [
                    ("x-highlight-request", "otelSpanSession/otelSpanRequest"), ("traceparent", "00-\(traceID)-00f067aa0ba902b7-01"),
                ])
                #expect(response.status == .ok)
                await producer.shutdown()
                let worker = TracedKafkaConsumer(
                    consumer: try TestKafka.groupMember(topic: topic, group: "otel-session-\(topic)"),
                    configuration: .init(instrument: instrument),
                    logger: TestKafka.logger
                )
                try await withTimeout(.seconds(60)) { try await worker.run { _ in worker.triggerShutdown() } }
            }
            let expected: Set<String> = ["POST /orders/{id}", "POST", "POST /reserve", "send \(topic)", "process \(topic)"]
            try await withTimeout(.seconds(30)) {
                await receiver.waitForSpans { spans in expected.isSubset(of: Set(spans.filter { $0.traceID == traceID }.map(\.name))) }
            }
            let trace = receiver.spans.filter { $0.traceID == traceID }
            #expect(Set(trace.map(\.name)) == expected, "the request's spans, and no other")
            print("| span (swift-otel) | highlight.session_id | highlight.trace_id |\n|---|---|---|")
            for span in trace { print("| \(span.name) | \(span.attributes["highlight.session_id"] ?? "-") | \(span.attributes["highlight.trace_id"] ?? "-") |") }
            for span in trace {
                #expect(span.attributes["highlight.session_id"] == "otelSpanSession", "\(span.name)")
                #expect(span.attributes["highlight.trace_id"] == "otelSpanRequest", "\(span.name)")
                #expect(span.attributes["service.name"] == "otel-session")
            }
            group.cancelAll()
        }
    }
}
#endif
