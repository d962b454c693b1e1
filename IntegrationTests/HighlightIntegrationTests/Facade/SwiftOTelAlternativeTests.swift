#if SWIFT_OTEL
import HighlightPropagation
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
    @Test func swiftOTelComposedWithThePropagatorKeepsTheSessionAndExportsItsSpans() async throws {
        let receiver = try await OTLPTestReceiver.start()
        var configuration = OTel.Configuration.default
        configuration.serviceName = "otel-alternative"
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpJSON
        configuration.traces.otlpExporter.compression = .none
        configuration.traces.otlpExporter.endpoint = receiver.endpoint + "/v1/traces"
        configuration.traces.batchSpanProcessor.scheduleDelay = .milliseconds(100)
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
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
}
#endif
