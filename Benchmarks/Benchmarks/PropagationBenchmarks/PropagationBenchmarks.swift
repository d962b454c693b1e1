import Benchmark
import GRPCCore
@_spi(Benchmarks) import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import HighlightTracing
import HTTPTypes
import Instrumentation
import OTel
import Tracing

/// The full context the targets speak of: x-highlight-request, traceparent, tracestate and two baggage members.
let inboundHeaders: [String: String] = [
    "x-highlight-request": "k3bP0aQeR7tYuI9oPlKjHgFdSa1A/a1B2c3D4e5",
    "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "tracestate": "congo=t61rcWkgMzE",
    "baggage": "tenant=acme,plan=gold",
]

// Names hold no spaces or slashes: benchmark 1.38.1 writes thresholds under a cleaned-up name but reads them back
// under the raw one, so a name with a space never finds its thresholds.
// ConsumerPerMessage.* = extract from Kafka headers, start a CONSUMER span, bind its context, end the span.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        // Malloc counts are exact, so 5% catches any new allocation per call. Wall time on this shared 2-core VM is
        // bimodal (the same code measures 5.3 or 9 µs depending on the host's load) and the check fails on
        // improvements as well as regressions: 100% fails a doubling without failing on the host's mood.
        thresholds: [.mallocCountTotal: .init(relative: [.p50: 5, .p90: 5]), .wallClock: .init(relative: [.p50: 100, .p90: 100])]
    )
    let highlightPropagator = HighlightPropagator(statistics: PropagationStatistics())
    // Held as an existential once, as InstrumentationSystem and the consumer's configuration hold it: passing the
    // struct to each call would box it (one allocation per call) into the `any Instrument` parameter.
    let propagator: any Instrument = highlightPropagator
    let context = ServiceContext.extract(from: inboundHeaders, instrument: propagator)

    registerRoundTrips("FullContext", context: context, instrument: propagator, withHTTPFields: true)

    // What the traced producer and consumer run per message on the byte path (the "fast path"), without the
    // public round trips' carrier: written as into librdkafka's header list, read into the values a consumer's span
    // starts from (see BytePathRoundTrip). MessageBytes: consecutive messages of one session, as a partition's worker
    // usually sees them; MessageBytesNewSession: the session and baggage decoded and checked on every message.
    for (name, sameSession) in [("MessageBytes", true), ("MessageBytesNewSession", false)] {
        Benchmark("InjectExtract.FullContext.\(name)") { benchmark in
            var roundTrip = BytePathRoundTrip(context: context, propagator: highlightPropagator, sameSessionInARow: sameSession)
            blackHole(roundTrip.run())
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(roundTrip.run())
            }
        }
    }

    // The floor of the API itself: an instrument that copies the same four values through the same carriers and
    // the same `any Instrument` calls, parsing and validating nothing (see VerbatimInstrument). The distance between
    // these and InjectExtract.FullContext.* is what this package's parsing, validation and forwarding cost.
    let verbatim: any Instrument = VerbatimInstrument()
    registerRoundTrips(
        "Verbatim", context: ServiceContext.extract(from: inboundHeaders, instrument: verbatim), instrument: verbatim, withHTTPFields: false
    )

    let noContext = [KafkaHeader(name: "content-type", string: "application/json"), KafkaHeader(name: "id", string: "42")]
    Benchmark("Extract.NoContext.KafkaHeaders") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ServiceContext.extract(from: noContext, using: KafkaHeadersExtractor(), instrument: propagator))
        }
    }

    var withContext: [KafkaHeader] = []
    context.inject(into: &withContext, using: KafkaHeadersInjector(), instrument: propagator)
    Benchmark("ConsumerPerMessage.NoOpTracer") { benchmark in
        for _ in benchmark.scaledIterations {
            let extracted = ServiceContext.extract(from: withContext, using: KafkaHeadersExtractor(), instrument: propagator)
            let span = NoOpTracer().startSpan("process orders", context: extracted, ofKind: .consumer)
            ServiceContext.withValue(span.context) { blackHole(ServiceContext.current?.highlightRequest) }
            span.end()
        }
    }

    registerHighlightTracer(parent: context, kafkaHeaders: withContext)
    let spans = registerGRPCInterceptors(inbound: [
        "x-highlight-request": "k3bP0aQeR7tYuI9oPlKjHgFdSa1A/a1B2c3D4e5",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "baggage": "tenant=acme",
    ])
    registerVaporMiddleware(spans: spans)

    // The same per-message work with swift-otel's tracer (sampled, ids generated, span processed on end), composed
    // with the propagator the way Highlight.bootstrap does it. Nothing is exported: the cost measured is ours and
    // the tracer's, not the network's.
    var otelConfiguration = OTel.Configuration.default
    otelConfiguration.serviceName = "benchmarks"
    otelConfiguration.traces.exporter = .none
    otelConfiguration.metrics.enabled = false
    otelConfiguration.logs.enabled = false
    if let (otelTracer, otelService) = try? OTel.makeTracingBackend(configuration: otelConfiguration) {
        Task.detached { try? await otelService.run() }
        // swift-otel's span alone (start and end, no propagation, no context binding): the floor of any traced
        // message, to set against the raw C client's whole per-message time.
        // Its malloc count moves with swift-otel's background tasks (7 to 14 a span between runs): a wider margin.
        let spanConfiguration = Benchmark.Configuration(
            metrics: [.wallClock, .mallocCountTotal],
            scalingFactor: .kilo,
            maxDuration: .seconds(2),
            thresholds: [.mallocCountTotal: .init(relative: [.p50: 50, .p90: 50]), .wallClock: .init(relative: [.p50: 100, .p90: 100])]
        )
        Benchmark("Span.OTelTracer.StartEnd", configuration: spanConfiguration) { benchmark in
            for _ in benchmark.scaledIterations {
                otelTracer.startSpan("process orders", context: .topLevel, ofKind: .consumer).end()
            }
        }
        let combined: any Instrument = highlightPropagator.combined(with: otelTracer)
        Benchmark("ConsumerPerMessage.OTelTracer") { benchmark in
            for _ in benchmark.scaledIterations {
                let extracted = ServiceContext.extract(from: withContext, using: KafkaHeadersExtractor(), instrument: combined)
                let span = otelTracer.startSpan("process orders", context: extracted, ofKind: .consumer)
                ServiceContext.withValue(span.context) { blackHole(ServiceContext.current?.highlightRequest) }
                span.end()
            }
        }
    }
}

/// InjectExtract.<group>.*: `context` injected into a fresh carrier and extracted back through `instrument`, per call.
func registerRoundTrips(_ group: String, context: ServiceContext, instrument: any Instrument, withHTTPFields: Bool) {
    Benchmark("InjectExtract.\(group).KafkaHeaders") { benchmark in
        for _ in benchmark.scaledIterations {
            var headers: [KafkaHeader] = [KafkaHeader(name: "content-type", string: "application/json")]
            context.inject(into: &headers, using: KafkaHeadersInjector(), instrument: instrument)
            blackHole(ServiceContext.extract(from: headers, using: KafkaHeadersExtractor(), instrument: instrument))
        }
    }
    if withHTTPFields {
        // The byte path the traced producer and consumer take for this package's instruments (the issue's "fast
        // path" target): the same headers, no intermediate String for what nobody keeps.
        Benchmark("InjectExtract.\(group).KafkaHeadersBytes") { benchmark in
            for _ in benchmark.scaledIterations {
                var headers: [KafkaHeader] = [KafkaHeader(name: "content-type", string: "application/json")]
                context.inject(into: &headers, instrument: instrument)
                blackHole(ServiceContext.extract(from: headers, instrument: instrument))
            }
        }
        Benchmark("InjectExtract.\(group).HTTPFields") { benchmark in
            for _ in benchmark.scaledIterations {
                var fields = HTTPFields()
                context.inject(into: &fields, using: HTTPFieldsInjector(), instrument: instrument)
                blackHole(ServiceContext.extract(from: fields, instrument: instrument))
            }
        }
    }
    Benchmark("InjectExtract.\(group).Dictionary") { benchmark in
        for _ in benchmark.scaledIterations {
            var dictionary: [String: String] = [:]
            context.inject(into: &dictionary, using: DictionaryInjector(), instrument: instrument)
            blackHole(ServiceContext.extract(from: dictionary, instrument: instrument))
        }
    }
}

/// Carries x-highlight-request, traceparent, tracestate and baggage as opaque strings: no parsing, no validation, no
/// limits, no statistics. Not something to ship (it forwards anything, CR/LF included); it measures what
/// swift-distributed-tracing's `Injector`/`Extractor` exchange and one `ServiceContext` value cost on their own.
struct VerbatimInstrument: Instrument {
    struct Values: Sendable {
        var request, traceParent, traceState, baggage: String?
    }

    enum ValuesKey: ServiceContextKey {
        typealias Value = Values
    }

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        context[ValuesKey.self] = Values(
            request: extractor.extract(key: "x-highlight-request", from: carrier),
            traceParent: extractor.extract(key: "traceparent", from: carrier),
            traceState: extractor.extract(key: "tracestate", from: carrier),
            baggage: extractor.extract(key: "baggage", from: carrier)
        )
    }

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let values = context[ValuesKey.self] else { return }
        if let value = values.request { injector.inject(value, forKey: "x-highlight-request", into: &carrier) }
        if let value = values.traceParent { injector.inject(value, forKey: "traceparent", into: &carrier) }
        if let value = values.traceState { injector.inject(value, forKey: "tracestate", into: &carrier) }
        if let value = values.baggage { injector.inject(value, forKey: "baggage", into: &carrier) }
    }
}
