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

    /// A value the propagator worked out once for its context: the header shares its bytes (no copy per message).
    mutating func set(_ name: String, sharedBytes: [UInt8]) {
        KafkaHeadersInjector.replace(name, with: KafkaHeader(name: name, value: sharedBytes), in: &headers)
    }

    /// Writes `context` into `headers` through `resolved` (an instrument already resolved, see
    /// `ServiceContext.resolvedInstrument`). When that is this package's propagator or tracer, through the byte path;
    /// any other instrument gets the `String` path.
    ///
    /// - Parameter span: a span of this package's tracer started in `context`, whose context is what travels. Through
    ///   the byte path its `traceparent` is written from its ids and its context (a copy of `context` with the span
    ///   added) is never made; any other instrument is given that context.
    static func inject(_ context: ServiceContext, span: HighlightSpan? = nil, into headers: inout [KafkaHeader], resolved: any Instrument) {
        let injected: Void? = BytePath.withPropagator(of: resolved) { propagator in
            inject(context, span: span, into: &headers, propagator: propagator)
        }
        if injected == nil {
            (span?.context ?? context).inject(into: &headers, using: KafkaHeadersInjector(), instrument: resolved)
        }
    }

    private static func inject(_ context: ServiceContext, span: HighlightSpan?, into headers: inout [KafkaHeader], propagator: borrowing HighlightPropagator) {
        var sink = KafkaHeadersByteSink(headers: headers)
        headers = []  // the sink holds the only reference: no copy on write while it appends
        propagator.injectBytes(context, span: span, into: &sink)
        headers = sink.headers
    }
}
