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
        get { slot?.values?.values.request }
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
        get { slot?.values?.values.forwarded }
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

    /// Everything the propagator restores, in this package's one slot (``ContextSlot``): an extraction stores it with
    /// one write, and an injection reads it with one lookup. Setting it keeps the active span.
    var propagated: PropagatedValues? {
        get { slot?.values?.values }
        set { slot = ContextSlot(values: newValue.flatMap { $0.isEmpty ? nil : PropagatedValuesBox($0) }, span: slot?.span) }
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
    package var traceParent: SpanIdentity? { traceParentAndValues.parent }

    /// The parent a tracer of this package continues (``traceParent``) and the propagated values, read with the one
    /// lookup a tracer needs to start a span. An empty context (a new trace) is not looked up at all.
    package var traceParentAndValues: (parent: SpanIdentity?, values: PropagatedValuesBox?) {
        guard let slot else { return (nil, nil) }
        let values = slot.values
        if let span = slot.span { return (span.identity, values) }
        return (values?.values.forwarded.map(SpanIdentity.init(forwarded:)), values)
    }
}
