
/// Which spans ``HighlightTracer`` records and exports. An unsampled span still gets its own ids and propagates
/// (the next service sees the trace and the `sampled` flag off), and costs next to nothing.
///
/// ```swift
/// var configuration = HighlightTracer.Configuration()
/// configuration.sampler = .parentBased(root: .ratio(0.1))  // 10% of new traces; continued traces follow their parent
/// ```
public struct HighlightSampler: Sendable, Hashable {
    indirect enum Rule: Sendable, Hashable {
        case always
        case never
        case ratio(UInt64)
        case parentBased(root: Rule)
    }

    let rule: Rule

    /// Every span.
    public static let always = HighlightSampler(rule: .always)
    /// No span (contexts still propagate, with the `sampled` flag off).
    public static let never = HighlightSampler(rule: .never)

    /// A share `probability` (0...1) of traces, decided from the trace id so that every service using the same
    /// ratio keeps or drops the same traces.
    public static func ratio(_ probability: Double) -> HighlightSampler {
        let clamped = min(max(probability, 0), 1)
        let bound: UInt64 = clamped >= 1 ? .max : UInt64(clamped * 18_446_744_073_709_551_616.0)
        return HighlightSampler(rule: .ratio(bound))
    }

    /// A span with a parent follows the parent's `sampled` flag; a root span is decided by `root`. The default
    /// (`parentBased(root: .always)`) keeps every trace a caller kept.
    public static func parentBased(root: HighlightSampler) -> HighlightSampler {
        HighlightSampler(rule: .parentBased(root: root.rule))
    }

    /// Whether a span of a trace whose id ends in `traceIDLow` (its rightmost 8 bytes, the random part under W3C
    /// level 2), with a parent of `parentFlags` (if it has one), is sampled.
    func isSampled(traceIDLow: UInt64, parentFlags: UInt8?) -> Bool {
        Self.decide(rule, traceIDLow: traceIDLow, parentFlags: parentFlags)
    }

    private static func decide(_ rule: Rule, traceIDLow: UInt64, parentFlags: UInt8?) -> Bool {
        switch rule {
        case .always: return true
        case .never: return false
        case .ratio(let bound):
            return bound == .max || traceIDLow < bound
        case .parentBased(let root):
            if let parentFlags { return parentFlags & 1 == 1 }
            return decide(root, traceIDLow: traceIDLow, parentFlags: nil)
        }
    }
}
