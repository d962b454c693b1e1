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
struct ForwardedTraceContext: Sendable {
    /// The trace context without its state.
    var parent: TraceContext
    /// The validated, normalized `tracestate` value, or `nil`.
    var traceState: String?
    /// The `traceparent` to send: the inbound value itself when it was already in that form, so forwarding it
    /// formats nothing.
    let encodedTraceParent: String

    init(parent: TraceContext, traceState: String?, encodedTraceParent: String? = nil) {
        self.parent = parent
        self.parent.state = TraceState()
        self.traceState = traceState
        self.encodedTraceParent = encodedTraceParent ?? parent.encodedTraceParent
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
