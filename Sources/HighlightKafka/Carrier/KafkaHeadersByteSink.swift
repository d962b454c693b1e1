import HighlightKafkaClient
import HighlightPropagation
import HighlightTracing
import Instrumentation

/// Kafka headers as a byte carrier: the propagator's values are copied once, from its UTF-8 (or a `traceparent`
/// formatted on the stack) into the header's bytes. Same replacement rule as ``KafkaHeadersInjector``.
struct KafkaHeadersByteSink: PropagationByteSink {
    var headers: [KafkaHeader]

    mutating func set(_ name: String, bytes: UnsafeRawBufferPointer) {
        KafkaHeadersInjector.replace(name, with: KafkaHeader(name: name, value: Array(bytes)), in: &headers)
    }

    /// Writes `context` into `headers` through `resolved` (an instrument already resolved, see
    /// `ServiceContext.resolvedInstrument`). When that is this package's propagator or tracer, through the byte path;
    /// any other instrument gets the `String` path.
    static func inject(_ context: ServiceContext, into headers: inout [KafkaHeader], resolved: any Instrument) {
        guard let propagator = KafkaHeadersByteSource.bytePropagator(resolved) else {
            context.inject(into: &headers, using: KafkaHeadersInjector(), instrument: resolved)
            return
        }
        var sink = KafkaHeadersByteSink(headers: headers)
        headers = []  // the sink holds the only reference: no copy on write while it appends
        propagator.injectBytes(context, into: &sink)
        headers = sink.headers
    }
}
