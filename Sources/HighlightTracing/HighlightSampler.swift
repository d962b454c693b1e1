
/// Which spans ``HighlightTracer`` records and exports. An unsampled span still gets its own ids and propagates
/// (the next service sees the trace and the `sampled` flag off), and costs next to nothing.
///
/// ```swift
/// var configuration = HighlightTracer.Configuration()
/// configuration.sampler = .parentBased(root: .ratio(0.1))  // 10% of new traces; continued traces follow their parent
/// ```
public struct HighlightSampler: Sendable, Hashable {
    /// The decision for a span without a parent (or for every span, unless ``followsParent``). Stored flat, no
    /// indirect enum: a sampler costs no allocation and reading it no pointer chase.
    enum Root: Sendable, Hashable {
        case always
        case never
        case ratio(UInt64)
    }

    let root: Root
    /// A span with a parent follows the parent's `sampled` flag.
    let followsParent: Bool

    /// Every span.
    public static let always = HighlightSampler(root: .always, followsParent: false)
    /// No span (contexts still propagate, with the `sampled` flag off).
    public static let never = HighlightSampler(root: .never, followsParent: false)

    /// A share `probability` (0...1) of traces, decided from the trace id so that every service using the same
    /// ratio keeps or drops the same traces.
    ///
    /// - Parameter probability: the share kept, from 0 to 1.
    /// - Returns: the sampler.
    public static func ratio(_ probability: Double) -> HighlightSampler {
        let clamped = min(max(probability, 0), 1)
        let bound: UInt64 = clamped >= 1 ? .max : UInt64(clamped * 18_446_744_073_709_551_616.0)
        return HighlightSampler(root: .ratio(bound), followsParent: false)
    }

    /// A span with a parent follows the parent's `sampled` flag; a root span is decided by `root`. The default
    /// (`parentBased(root: .always)`) keeps every trace a caller kept. (A parent-based `root` decides root spans the
    /// same way as its own root: nesting changes nothing.)
    ///
    /// - Parameter root: how root spans are decided.
    /// - Returns: the sampler.
    public static func parentBased(root: HighlightSampler) -> HighlightSampler {
        HighlightSampler(root: root.root, followsParent: true)
    }

    /// Whether a span of a trace whose id ends in `traceIDLow` (its rightmost 8 bytes, the random part under W3C
    /// level 2), with a parent of `parentFlags` (if it has one), is sampled.
    func isSampled(traceIDLow: UInt64, parentFlags: UInt8?) -> Bool {
        if followsParent, let parentFlags { return parentFlags & 1 == 1 }
        switch root {
        case .always: return true
        case .never: return false
        case .ratio(let bound): return bound == .max || traceIDLow < bound
        }
    }
}
