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
        get { self[PropagatedValuesKey.self]?.values.request }
        set { updatePropagated { $0.request = newValue } }
    }

    /// The W3C baggage that came in with the current work, forwarded on every injection.
    public var baggage: W3CBaggage? {
        get { propagated?.baggage }
        set { updatePropagated { $0.baggage = newValue } }
    }

    /// The W3C trace context of the current work: the active span of this package's tracer (`localSpan`), else the
    /// inbound `traceparent` and `tracestate`, forwarded unchanged by ``HighlightPropagator`` so a service without a
    /// tracer keeps the trace whole. A tracer placed after the propagator in a `MultiplexInstrument` writes its own
    /// span's `traceparent` over it. Setting it sets the forwarded context.
    public var w3cTraceContext: TraceContext? {
        get { localSpan?.identity.traceContext ?? forwardedTraceContext?.traceContext }
        set { forwardedTraceContext = newValue.map(ForwardedTraceContext.init) }
    }

    /// The inbound trace context.
    var forwardedTraceContext: ForwardedTraceContext? {
        get { self[PropagatedValuesKey.self]?.values.forwarded }
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
        get { self[PropagatedValuesKey.self]?.values }
        set { self[PropagatedValuesKey.self] = newValue.flatMap { $0.isEmpty ? nil : PropagatedValuesBox($0) } }
    }

    private mutating func updatePropagated(_ update: (inout PropagatedValues) -> Void) {
        var values = propagated ?? PropagatedValues()
        update(&values)
        propagated = values
    }
}

extension ServiceContext {
    /// The trace a tracer of this package continues: the active local span, else the inbound `traceparent` (with its
    /// `tracestate` as validated text).
    package var traceParent: SpanIdentity? {
        if let local = localSpan { return local.identity }
        return forwardedTraceContext.map(SpanIdentity.init(forwarded:))
    }

    /// ``traceParent`` and ``highlightRequest``, read with as few lookups as a tracer needs to start a span.
    /// A context holding nothing but the propagated values (what an extraction makes) has no local span: its key is
    /// not looked up then (each lookup through `ServiceContext`'s generic subscript hashes the key and resolves
    /// metadata at run time, about a tenth of a microsecond).
    package var traceParentAndSession: (parent: SpanIdentity?, session: HighlightRequestContext?) {
        let count = self.count
        if count == 0 { return (nil, nil) }
        let box = self[PropagatedValuesKey.self]
        if count > (box == nil ? 0 : 1), let local = localSpan { return (local.identity, box?.values.request) }
        return (box?.values.forwarded.map(SpanIdentity.init(forwarded:)), box?.values.request)
    }
}
