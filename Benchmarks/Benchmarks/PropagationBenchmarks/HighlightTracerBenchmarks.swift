import Benchmark
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import HighlightTracing
import Instrumentation
import Tracing

/// Span.HighlightTracer.* and ConsumerPerMessage.HighlightTracer: this package's tracer through
/// swift-distributed-tracing's API. Ended spans go to a queue that the loop empties every 4,096 spans, as the
/// exporter would (its encoding and sending are not measured here).
func registerHighlightTracer(parent: ServiceContext, kafkaHeaders: [KafkaHeader]) {
    let queue = TelemetryQueue<HighlightSpan>(capacity: 1 << 16, batchSize: 1 << 16) {}
    let tracer = HighlightTracer(queue: queue)
    let unsampled = HighlightTracer(configuration: .init(sampler: .never), queue: queue)

    // The target case: sampled, three attributes, its context read once.
    Benchmark("Span.HighlightTracer.StartEnd") { benchmark in
        for iteration in benchmark.scaledIterations {
            let span = tracer.startSpan("process orders", context: parent, ofKind: .consumer)
            span.updateAttributes { attributes in
                attributes["messaging.system"] = "kafka"
                attributes["messaging.destination.name"] = "orders"
                attributes["messaging.kafka.offset"] = 42
            }
            blackHole(span.context)
            span.end()
            if iteration & 4095 == 0 { blackHole(queue.takeAll()) }
        }
    }

    Benchmark("Span.HighlightTracer.Unsampled") { benchmark in
        for _ in benchmark.scaledIterations {
            let span = unsampled.startSpan("process orders", context: parent, ofKind: .consumer)
            blackHole(span.context)
            span.end()
        }
    }

    let instrument: any Instrument = tracer
    // What the traced consumer does per message: the byte path's extraction, a span, its context bound, the end.
    Benchmark("ConsumerPerMessage.HighlightTracer") { benchmark in
        for iteration in benchmark.scaledIterations {
            let extracted = ServiceContext.extract(from: kafkaHeaders, instrument: instrument)
            let span = tracer.startSpan("process orders", context: extracted, ofKind: .consumer)
            ServiceContext.withValue(span.context) { blackHole(ServiceContext.current?.highlightRequest) }
            span.end()
            if iteration & 4095 == 0 { blackHole(queue.takeAll()) }
        }
    }
}
