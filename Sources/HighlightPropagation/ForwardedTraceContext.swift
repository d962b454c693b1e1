import W3CTraceContext

/// A trace context as the propagator forwards it: the `traceparent`'s ids as integers (what a tracer of this package
/// continues, with nothing to convert), the `tracestate` kept as validated text, turned into a W3C `TraceContext` and
/// `TraceState` only when read through `ServiceContext.w3cTraceContext`.
@usableFromInline
struct ForwardedTraceContext: Sendable {
    /// The inbound ids, flags and validated, normalized `tracestate`.
    let identity: SpanIdentity
    /// The inbound `traceparent` when it was already in the form it is sent in, so forwarding it formats nothing.
    private let inboundTraceParent: String?

    init(identity: SpanIdentity, encodedTraceParent: String? = nil) {
        self.identity = identity
        self.inboundTraceParent = encodedTraceParent
    }

    init(_ traceContext: TraceContext) {
        self.init(identity: SpanIdentity(traceContext, traceState: traceContext.encodedTraceState))
    }

    /// The validated, normalized `tracestate` value, or `nil`.
    var traceState: String? { identity.traceState }

    /// The `traceparent` to send.
    var encodedTraceParent: String {
        inboundTraceParent ?? identity.encodedTraceParent
    }

    /// The whole trace context, state included.
    var traceContext: TraceContext { identity.traceContext }
}
