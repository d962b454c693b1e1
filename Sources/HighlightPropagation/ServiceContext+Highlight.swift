public import Instrumentation
public import W3CTraceContext

extension ServiceContext {
    /// The frontend session and request that caused the current work, restored from `x-highlight-request` (or its
    /// baggage mirror) by ``HighlightPropagator``.
    ///
    /// ```swift
    /// if let request = ServiceContext.current?.highlightRequest {
    ///     logger.info("handling work for session", metadata: ["session": "\(request.sessionSecureID)"])
    /// }
    /// ```
    public var highlightRequest: HighlightRequestContext? {
        get { self[HighlightRequestContextKey.self] }
        set { self[HighlightRequestContextKey.self] = newValue }
    }

    /// The W3C baggage that came in with the current work, forwarded on every injection.
    public var baggage: W3CBaggage? {
        get { self[W3CBaggageKey.self] }
        set { self[W3CBaggageKey.self] = newValue }
    }

    /// The inbound W3C trace context (`traceparent` and `tracestate`), forwarded unchanged by ``HighlightPropagator``
    /// so a service without a tracer keeps the trace whole. A tracer placed after the propagator in a
    /// `MultiplexInstrument` writes its own span's `traceparent` over it.
    public var w3cTraceContext: TraceContext? {
        get { forwardedTraceContext?.traceContext }
        set { forwardedTraceContext = newValue.map(ForwardedTraceContext.init) }
    }

    /// What ``w3cTraceContext`` is stored as.
    var forwardedTraceContext: ForwardedTraceContext? {
        get { self[W3CTraceContextKey.self] }
        set { self[W3CTraceContextKey.self] = newValue }
    }
}

private enum HighlightRequestContextKey: ServiceContextKey {
    typealias Value = HighlightRequestContext
    static var nameOverride: String? { "highlight.request" }
}

private enum W3CBaggageKey: ServiceContextKey {
    typealias Value = W3CBaggage
    static var nameOverride: String? { "w3c.baggage" }
}

private enum W3CTraceContextKey: ServiceContextKey {
    typealias Value = ForwardedTraceContext
    static var nameOverride: String? { "w3c.trace-context" }
}

/// A trace context as the propagator forwards it: the `traceparent` parsed, the `tracestate` kept as validated text,
/// turned into a `TraceState` only when read through ``ServiceContext/w3cTraceContext``.
struct ForwardedTraceContext: Sendable {
    /// The trace context without its state.
    var parent: TraceContext
    /// The validated, normalized `tracestate` value, or `nil`.
    var traceState: String?

    init(parent: TraceContext, traceState: String?) {
        self.parent = parent
        self.parent.state = TraceState()
        self.traceState = traceState
    }

    init(_ traceContext: TraceContext) {
        self.init(parent: traceContext, traceState: traceContext.encodedTraceState)
    }

    /// The whole trace context, state included.
    var traceContext: TraceContext {
        var context = parent
        if let traceState { context.state = W3CTraceContextParser.traceState(fromNormalized: traceState) }
        return context
    }
}
