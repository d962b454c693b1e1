import W3CTraceContext

/// A trace context as the propagator forwards it: the `traceparent` parsed, the `tracestate` kept as validated text,
/// turned into a `TraceState` only when read through `ServiceContext.w3cTraceContext`.
@usableFromInline
struct ForwardedTraceContext: Sendable {
    /// The trace context without its state.
    var parent: TraceContext
    /// The validated, normalized `tracestate` value, or `nil`.
    var traceState: String?
    /// The inbound `traceparent` when it was already in the form it is sent in, so forwarding it formats nothing.
    private let inboundTraceParent: String?
    init(parent: TraceContext, traceState: String?, encodedTraceParent: String? = nil) {
        self.parent = parent
        self.parent.state = TraceState()
        self.traceState = traceState
        self.inboundTraceParent = encodedTraceParent
    }

    init(_ traceContext: TraceContext) {
        self.init(parent: traceContext, traceState: traceContext.encodedTraceState)
    }

    /// The `traceparent` to send.
    var encodedTraceParent: String {
        inboundTraceParent ?? parent.encodedTraceParent
    }

    /// The whole trace context, state included.
    var traceContext: TraceContext {
        var context = parent
        if let traceState { context.state = W3CTraceContextParser.traceState(fromNormalized: traceState) }
        return context
    }
}
