/// The names of the headers ``HighlightPropagator`` reads and writes, lowercase as written on injection.
public enum PropagationHeader {
    /// `x-highlight-request`: `<sessionSecureID>/<requestID>`.
    public static let highlightRequest = HighlightRequestContext.headerName
    /// W3C Trace Context `traceparent`.
    public static let traceParent = "traceparent"
    /// W3C Trace Context `tracestate`.
    public static let traceState = "tracestate"
    /// W3C `baggage`.
    public static let baggage = "baggage"
    /// Every header above, in the order the propagator writes them.
    public static let all = [highlightRequest, traceParent, traceState, baggage]
}
