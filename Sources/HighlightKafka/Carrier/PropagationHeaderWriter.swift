package import HighlightKafkaClient
import HighlightPropagation
import HighlightTracing
import Instrumentation

/// The traced producer's byte path at its shortest: the propagator's values for a message (and its span) are written
/// straight into librdkafka's header list as the message is queued (the `traceparent` formatted on the stack, the
/// session and baggage from bytes worked out once for their context), with no `KafkaHeader` array or value made.
/// Same values and replacement rule as ``KafkaHeadersByteSink``.
struct PropagationHeaderWriter: KafkaHeaderWriter {
    private let context: ServiceContext
    /// The span whose context is sent, if any (see `HighlightPropagator.injectBytes(_:span:into:)`).
    private let span: HighlightSpan?
    private let propagator: HighlightPropagator

    /// A writer of `propagator`'s headers: the byte path of this package's tracer or propagator (`BytePath`; another
    /// instrument gets the `String` path).
    ///
    /// - Parameters:
    ///   - context: the context sent when there is no span; with one, the context the span was started in.
    ///   - span: the span whose context is sent.
    ///   - propagator: writes the headers.
    init(_ context: ServiceContext, span: HighlightSpan?, propagator: HighlightPropagator) {
        self.propagator = propagator
        self.context = context
        self.span = span
    }

    func writeHeaders(into list: inout KafkaHeaderList) {
        propagator.injectBytes(context, span: span, into: &list)
    }
}

/// The propagator writes each header once, straight into the message's list.
extension KafkaHeaderList: PropagationByteSink {
    package mutating func set(_ name: String, bytes: UnsafeRawBufferPointer) {
        append(name, value: bytes)
    }
}
