/// Size limits applied to propagated values, on extraction and on injection.
///
/// The defaults follow `shared/reference/wire-format.md` and the W3C recommendations: a `x-highlight-request`
/// value over 256 bytes is refused; a baggage is kept up to 180 members and 8,192 bytes (W3C asks every
/// implementation to propagate at least 64 members and 8,192 bytes, so lower values are raised to those);
/// a `tracestate` keeps at most 32 list members.
public struct PropagationLimits: Sendable, Hashable {
    /// The longest `x-highlight-request` value accepted, in bytes.
    public var maximumHighlightRequestBytes: Int
    /// The most baggage members kept; never below 64.
    public var maximumBaggageMembers: Int {
        didSet { maximumBaggageMembers = max(maximumBaggageMembers, Self.minimumBaggageMembers) }
    }
    /// The longest serialized baggage kept, in bytes; never below 8,192.
    public var maximumBaggageBytes: Int {
        didSet { maximumBaggageBytes = max(maximumBaggageBytes, Self.minimumBaggageBytes) }
    }

    /// W3C Baggage: implementations must propagate at least this many members.
    public static let minimumBaggageMembers = 64
    /// W3C Baggage: implementations must propagate at least this many bytes.
    public static let minimumBaggageBytes = 8192
    /// W3C Trace Context: `tracestate` holds at most this many list members.
    public static let maximumTraceStateMembers = 32

    /// Creates limits; baggage limits below the W3C minimums are raised to them.
    ///
    /// - Parameters:
    ///   - maximumHighlightRequestBytes: the longest `x-highlight-request` value read or written.
    ///   - maximumBaggageMembers: the most baggage members kept (at least 64, W3C's minimum).
    ///   - maximumBaggageBytes: the longest baggage kept, in bytes (at least 8,192, W3C's minimum).
    public init(
        maximumHighlightRequestBytes: Int = 256,
        maximumBaggageMembers: Int = 180,
        maximumBaggageBytes: Int = 8192
    ) {
        self.maximumHighlightRequestBytes = max(1, maximumHighlightRequestBytes)
        self.maximumBaggageMembers = max(maximumBaggageMembers, Self.minimumBaggageMembers)
        self.maximumBaggageBytes = max(maximumBaggageBytes, Self.minimumBaggageBytes)
    }

    /// The limits described above.
    public static let `default` = PropagationLimits()
}
