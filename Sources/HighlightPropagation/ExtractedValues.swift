package import Instrumentation

/// What ``HighlightPropagator``'s byte path extracts from a carrier, before it becomes a context: the one slot an
/// extraction into an empty context would write, in two parts. A reader that goes on to start a span of this
/// package's tracer starts it from these values (the tracer needs no context to read them from), so the only context
/// made for the message is the span's; ``context`` makes the extracted one for whoever asks.
///
/// The session and baggage (``session``) are one reference that a reader of many carriers shares between the
/// carriers sending the same session (see ``ByteExtractionMemo``): a span started from them keeps that reference, and
/// what it sends onward is worked out once per session, not once per message. The inbound trace context, which
/// differs per message, is kept apart (a span continues it; it is not what the span sends).
@usableFromInline
package struct ExtractedValues: Sendable {
    /// The restored session and baggage, without the inbound trace context; `nil` when the carrier held neither.
    package let session: PropagatedValuesBox?
    /// The inbound trace context.
    let forwarded: ForwardedTraceContext?

    @usableFromInline
    init(session: PropagatedValuesBox?, forwarded: ForwardedTraceContext?) {
        self.session = session
        self.forwarded = forwarded
    }

    /// Everything restored, as one context slot stores it; `nil` when the carrier held nothing this package keeps.
    /// Made on each read when there is an inbound trace context.
    package var box: PropagatedValuesBox? {
        guard let forwarded else { return session }
        var values = session?.values ?? PropagatedValues()
        values.forwarded = forwarded
        return PropagatedValuesBox(values)
    }

    /// The context an extraction into an empty context gives: equal to ``HighlightPropagator/extractBytes(from:into:memo:)``'s.
    package var context: ServiceContext {
        var context = ServiceContext.topLevel
        if let box { context.slot = ContextSlot(values: box, span: nil) }
        return context
    }

    /// The trace these values continue: their inbound `traceparent`, as a tracer of this package reads its parent.
    package var traceParent: SpanIdentity? {
        forwarded.map(SpanIdentity.init(forwarded:))
    }

    /// The session restored.
    package var request: HighlightRequestContext? { session?.request }
}
