package import HighlightKafkaClient
import HighlightPropagation
import HighlightTracing
import Instrumentation

/// The traced producer's byte path at its shortest: the propagator's values for a message (and its span) are written
/// straight into librdkafka's header list as the message is queued (the `traceparent` formatted on the stack, the
/// session and baggage from bytes worked out once for their context), with no `KafkaHeader` array or value made.
/// Same values and replacement rule as ``KafkaHeadersByteSink``.
struct PropagationHeaderWriter: KafkaHeaderWriter {
    /// What is sent: a context as it is, or a span of this package's tracer (its ids, and the values of the context it
    /// was started in, which it keeps: no lookup in a context per message).
    private enum Source {
        case context(ServiceContext)
        case span(HighlightSpan)
    }

    private let source: Source
    private let propagator: HighlightPropagator

    /// `nil` unless `resolved` is this package's tracer or propagator (another instrument gets the `String` path).
    ///
    /// - Parameters:
    ///   - context: the context sent when there is no span; with one, the context the span was started in.
    ///   - span: the span whose context is sent.
    init?(_ context: ServiceContext, span: HighlightSpan?, resolved: any Instrument) {
        guard let propagator = BytePath.withPropagator(of: resolved, { $0 }) else { return nil }
        self.propagator = propagator
        self.source = span.map(Source.span) ?? .context(context)
    }

    func writeHeaders(into list: inout KafkaHeaderList) {
        switch source {
        case .context(let context): propagator.injectBytes(context, into: &list)
        case .span(let span): propagator.injectBytes(values: span.parentValues, localSpan: span.identity, into: &list)
        }
    }
}

/// The propagator writes each header once, straight into the message's list.
extension KafkaHeaderList: PropagationByteSink {
    package mutating func set(_ name: String, bytes: UnsafeRawBufferPointer) {
        append(name, value: bytes)
    }
}
