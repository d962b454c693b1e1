extension HighlightPropagator {
    /// Why this propagator would refuse `value` as the header `name` on extraction (its rules and limits); empty when
    /// the value would be restored. For tools that take a header value from a person and should say what is wrong
    /// with it instead of sending nothing.
    ///
    /// A blank `x-highlight-request` or `baggage` (which extraction treats as absent) is reported as
    /// ``PropagationRejection/Reason/malformed``; a name this propagator does not read gives no rejection.
    package func rejections(ofHeader name: String, value: String) -> [PropagationRejection] {
        switch name.lowercased() {
        case PropagationHeader.highlightRequest:
            do {
                let parsed = try HighlightRequestContext.parse(value, maximumLength: configuration.limits.maximumHighlightRequestBytes)
                return parsed == nil ? [PropagationRejection(.highlightRequest, .malformed)] : []
            } catch {
                return [error]
            }
        case PropagationHeader.traceParent:
            return W3CTraceContextParser.parseForwarding(traceParent: value, traceState: nil).rejections
        case PropagationHeader.traceState:
            if case .failure(let rejection) = W3CTraceContextParser.normalizedTraceState(value) { return [rejection] }
            return []
        case PropagationHeader.baggage:
            let parsed = W3CBaggage.parse(CollectionOfOne(value), limits: configuration.limits)
            if parsed.rejections.isEmpty && parsed.baggage == nil { return [PropagationRejection(.baggage, .malformed)] }
            return parsed.rejections
        default:
            return []
        }
    }
}
