package import Instrumentation

/// What ``HighlightPropagator``'s byte path extracts from a carrier, before it becomes a context: the one slot an
/// extraction into an empty context would write. A reader that goes on to start a span of this package's tracer
/// starts it from these values (the tracer needs no context to read them from), so the only context made for the
/// message is the span's; ``context`` makes the extracted one for whoever asks.
@usableFromInline
package struct ExtractedValues: Sendable {
    /// The restored values; `nil` when the carrier held nothing this package keeps.
    package let box: PropagatedValuesBox?

    @usableFromInline
    init(_ box: PropagatedValuesBox?) {
        self.box = box
    }

    /// The context an extraction into an empty context gives: equal to ``HighlightPropagator/extractBytes(from:into:memo:)``'s.
    package var context: ServiceContext {
        var context = ServiceContext.topLevel
        if let box { context.slot = ContextSlot(values: box, span: nil) }
        return context
    }

    /// The trace these values continue: their inbound `traceparent`, as a tracer of this package reads its parent.
    package var traceParent: SpanIdentity? {
        box?.values.forwarded.map(SpanIdentity.init(forwarded:))
    }

    /// The session restored.
    package var request: HighlightRequestContext? { box?.request }
}
