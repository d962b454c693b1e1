import Benchmark
import HighlightKafka
import HighlightPropagation
import HTTPTypes
import Instrumentation
import Tracing

/// The full context the targets speak of: x-highlight-request, traceparent, tracestate and two baggage members.
let inboundHeaders: [String: String] = [
    "x-highlight-request": "k3bP0aQeR7tYuI9oPlKjHgFdSa1A/a1B2c3D4e5",
    "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "tracestate": "congo=t61rcWkgMzE",
    "baggage": "tenant=acme,plan=gold",
]

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        maxDuration: .seconds(2),
        thresholds: [.mallocCountTotal: .init(relative: [.p50: 5]), .wallClock: .init(relative: [.p50: 25])]
    )
    let propagator = HighlightPropagator(statistics: PropagationStatistics())
    let context = ServiceContext.extract(from: inboundHeaders, instrument: propagator)

    Benchmark("inject+extract full context, Kafka headers") { benchmark in
        for _ in benchmark.scaledIterations {
            var headers: [KafkaHeader] = [KafkaHeader(name: "content-type", string: "application/json")]
            context.inject(into: &headers, using: KafkaHeadersInjector(), instrument: propagator)
            blackHole(ServiceContext.extract(from: headers, using: KafkaHeadersExtractor(), instrument: propagator))
        }
    }

    Benchmark("inject+extract full context, HTTPFields") { benchmark in
        for _ in benchmark.scaledIterations {
            var fields = HTTPFields()
            context.inject(into: &fields, using: HTTPFieldsInjector(), instrument: propagator)
            blackHole(ServiceContext.extract(from: fields, instrument: propagator))
        }
    }

    Benchmark("inject+extract full context, dictionary") { benchmark in
        for _ in benchmark.scaledIterations {
            var dictionary: [String: String] = [:]
            context.inject(into: &dictionary, using: DictionaryInjector(), instrument: propagator)
            blackHole(ServiceContext.extract(from: dictionary, instrument: propagator))
        }
    }

    let noContext = [KafkaHeader(name: "content-type", string: "application/json"), KafkaHeader(name: "id", string: "42")]
    Benchmark("extract, message without context") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ServiceContext.extract(from: noContext, using: KafkaHeadersExtractor(), instrument: propagator))
        }
    }

    var withContext: [KafkaHeader] = []
    context.inject(into: &withContext, using: KafkaHeadersInjector(), instrument: propagator)
    Benchmark("consumer per-message overhead, no-op tracer (extract, span, context binding)") { benchmark in
        for _ in benchmark.scaledIterations {
            let extracted = ServiceContext.extract(from: withContext, using: KafkaHeadersExtractor(), instrument: propagator)
            let span = NoOpTracer().startSpan("process orders", context: extracted, ofKind: .consumer)
            ServiceContext.withValue(span.context) { blackHole(ServiceContext.current?.highlightRequest) }
            span.end()
        }
    }
}
