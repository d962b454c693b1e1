import HighlightPropagation

/// What is wrong with a propagation header typed on the command line, in a sentence that names the flag, the rule
/// the value broke and the expected form, never echoing the value itself (it may hold control characters).
enum StrictInput {
    /// The propagator whose rules a header must pass: the one every command extracts with.
    static let propagator = HighlightPropagator()

    /// `nil` when `value` passes the rules for `header`.
    static func problem(flag: String, header: String, value: String) -> String? {
        guard let rejection = propagator.rejections(ofHeader: header, value: value).first else { return nil }
        var sentence = "\(flag): \(rejection.reason.rawValue)"
        if rejection.reason == .tooLong {
            let limit = switch rejection.field {
            case .highlightRequest: propagator.configuration.limits.maximumHighlightRequestBytes
            default: propagator.configuration.limits.maximumBaggageBytes
            }
            sentence += " of \(limit) bytes (this value has \(value.utf8.count))"
        }
        return sentence + "; expected " + expectedForm(of: rejection.field)
    }

    private static func expectedForm(of field: PropagationRejection.Field) -> String {
        switch field {
        case .highlightRequest: "SESSION/REQUEST, visible ASCII without spaces (e.g. a1b2c3/req42)"
        case .traceParent: "00-<32 lowercase hex trace id>-<16 lowercase hex span id>-<2 hex flags>"
        case .traceState: "key=value[,key=value...]"
        case .baggage: "key=value[,key=value...] with percent-encoded values"
        }
    }
}
