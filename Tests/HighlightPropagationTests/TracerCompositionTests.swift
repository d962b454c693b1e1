import HighlightPropagation
import InMemoryTracing
import Instrumentation
import Testing
import Tracing

/// Plays the part of an OpenTelemetry tracer's W3C propagator on top of `InMemoryTracer`: reads `traceparent` into
/// the tracer's span context and writes the active span's context back out.
struct W3CInMemoryPropagator: Instrument {
    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let value = extractor.extract(key: "traceparent", from: carrier) else { return }
        let parts = value.split(separator: "-")
        guard parts.count == 4 else { return }
        context.inMemorySpanContext = InMemorySpanContext(traceID: String(parts[1]), spanID: String(parts[2]), parentSpanID: nil)
    }

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let span = context.inMemorySpanContext else { return }
        injector.inject("00-\(span.traceID)-\(span.spanID)-01", forKey: "traceparent", into: &carrier)
    }
}

@Suite("Composition with a tracer")
struct TracerCompositionTests {
    static let inboundTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let inboundParent = "00f067aa0ba902b7"

    let tracer = InMemoryTracer(
        idGenerator: .init(
            nextTraceID: { "0af7651916cd43dd8448eb211c80319c" },
            nextSpanID: { "b7ad6b7169203331" }
        )
    )

    @Test func theTracersTraceParentReplacesTheForwardedOneAndHighlightHeadersStay() throws {
        let instrument = HighlightPropagator(statistics: PropagationStatistics()).combined(with: W3CInMemoryPropagator())
        let inbound = ServiceContext.extract(
            from: [
                "x-highlight-request": "sess/req",
                "traceparent": "00-\(Self.inboundTraceID)-\(Self.inboundParent)-01",
                "baggage": "tenant=acme",
            ],
            instrument: instrument
        )
        let span = tracer.startSpan("handle", context: inbound)
        defer { span.end() }

        var outbound: [String: String] = [:]
        span.context.inject(into: &outbound, using: DictionaryInjector(), instrument: instrument)

        // Both sets of headers come out; the traceparent is the tracer's span, in the inbound trace.
        #expect(outbound["x-highlight-request"] == "sess/req")
        #expect(outbound["baggage"] == "tenant=acme,x-highlight-request=sess/req")
        #expect(outbound["traceparent"] == "00-\(Self.inboundTraceID)-b7ad6b7169203331-01")
        #expect(span.context.inMemorySpanContext?.parentSpanID == Self.inboundParent)
    }

    @Test func withoutATracerTheInboundTraceIsForwardedUnchanged() {
        let instrument = HighlightPropagator(statistics: PropagationStatistics())
        let inbound = ServiceContext.extract(
            from: ["traceparent": "00-\(Self.inboundTraceID)-\(Self.inboundParent)-03", "tracestate": "congo=t61rcWkgMzE"],
            instrument: instrument
        )
        var outbound: [String: String] = [:]
        inbound.inject(into: &outbound, using: DictionaryInjector(), instrument: instrument)
        #expect(outbound == [
            "traceparent": "00-\(Self.inboundTraceID)-\(Self.inboundParent)-03",
            "tracestate": "congo=t61rcWkgMzE",
        ])
    }
}
