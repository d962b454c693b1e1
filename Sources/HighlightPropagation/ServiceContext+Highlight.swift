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
        get { propagated?.request }
        set { updatePropagated { $0.request = newValue } }
    }

    /// The W3C baggage that came in with the current work, forwarded on every injection.
    public var baggage: W3CBaggage? {
        get { propagated?.baggage }
        set { updatePropagated { $0.baggage = newValue } }
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
        get { propagated?.forwarded }
        set { updatePropagated { $0.forwarded = newValue } }
    }

    /// A top-level context holding this context's session and baggage but not its trace context: for work that starts
    /// a new trace and stays linked to the session. The baggage is carried as it is stored (a forwarded value is not
    /// parsed for it).
    package var sessionAndBaggage: ServiceContext {
        var context = ServiceContext.topLevel
        if var values = propagated {
            values.forwarded = nil
            context.propagated = values
        }
        return context
    }

    /// Everything the propagator restores, under one key: an extraction stores it with one write, and an injection
    /// reads it with one lookup (each key of a `ServiceContext` is a dictionary entry holding a boxed value).
    var propagated: PropagatedValues? {
        get { self[PropagatedValuesKey.self] }
        set { self[PropagatedValuesKey.self] = newValue?.isEmpty == true ? nil : newValue }
    }

    private mutating func updatePropagated(_ update: (inout PropagatedValues) -> Void) {
        var values = propagated ?? PropagatedValues()
        update(&values)
        propagated = values
    }
}

/// The values ``HighlightPropagator`` restores and forwards.
struct PropagatedValues: Sendable {
    var request: HighlightRequestContext?
    /// The baggage as it came (``ForwardedBaggage``), or as members.
    var baggageStorage: BaggageStorage?
    var forwarded: ForwardedTraceContext?

    enum BaggageStorage: Sendable {
        case forwarded(ForwardedBaggage)
        case parsed(W3CBaggage)
    }

    /// The baggage's members; a forwarded value is parsed on this read.
    var baggage: W3CBaggage? {
        get {
            switch baggageStorage {
            case .forwarded(let forwarded): forwarded.baggage
            case .parsed(let baggage): baggage
            case nil: nil
            }
        }
        set { baggageStorage = newValue.map(BaggageStorage.parsed) }
    }

    var isEmpty: Bool { request == nil && baggageStorage == nil && forwarded == nil }
}

private enum PropagatedValuesKey: ServiceContextKey {
    typealias Value = PropagatedValues
    static var nameOverride: String? { "highlight.propagated" }
}

/// A trace context as the propagator forwards it: the `traceparent` parsed, the `tracestate` kept as validated text,
/// turned into a `TraceState` only when read through ``ServiceContext/w3cTraceContext``.
///
/// A tracer of this package stores its active span here too (``isLocalSpan``): one context value carries the session,
/// the baggage and the span, and an injection reads them with one lookup.
struct ForwardedTraceContext: Sendable {
    /// The trace context without its state.
    var parent: TraceContext
    /// The validated, normalized `tracestate` value, or `nil`.
    var traceState: String?
    /// The inbound `traceparent` when it was already in the form it is sent in, so forwarding it formats nothing.
    private let inboundTraceParent: String?
    /// Whether this is a span started in this process (injected even when forwarding inbound contexts is off).
    let isLocalSpan: Bool

    init(parent: TraceContext, traceState: String?, encodedTraceParent: String? = nil, isLocalSpan: Bool = false) {
        self.parent = parent
        self.parent.state = TraceState()
        self.traceState = traceState
        self.inboundTraceParent = encodedTraceParent
        self.isLocalSpan = isLocalSpan
    }

    init(_ traceContext: TraceContext) {
        self.init(parent: traceContext, traceState: traceContext.encodedTraceState)
    }

    /// The `traceparent` to send; formatted here for a local span (only when something injects it).
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

extension ServiceContext {
    /// The trace a tracer of this package continues: the active local span, else the inbound `traceparent` (with its
    /// `tracestate` as validated text).
    package var traceParent: (context: TraceContext, traceState: String?)? {
        guard let forwarded = propagated?.forwarded else { return nil }
        return (forwarded.parent, forwarded.traceState)
    }

    /// ``traceParent`` and ``highlightRequest`` with one lookup: what a tracer reads to start a span.
    package var traceParentAndSession: (parent: (context: TraceContext, traceState: String?)?, session: HighlightRequestContext?) {
        guard let values = propagated else { return (nil, nil) }
        return (values.forwarded.map { ($0.parent, $0.traceState) }, values.request)
    }

    /// This context with `span` as its active span (the session and baggage kept): what a tracer of this package
    /// stores as a span's context, and what ``HighlightPropagator`` then injects as `traceparent`/`tracestate`.
    package func withLocalSpan(_ span: TraceContext, traceState: String?) -> ServiceContext {
        var context = self
        var values = propagated ?? PropagatedValues()
        values.forwarded = ForwardedTraceContext(parent: span, traceState: traceState, isLocalSpan: true)
        context.propagated = values
        return context
    }
}
