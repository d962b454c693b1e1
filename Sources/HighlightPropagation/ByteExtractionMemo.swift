#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The session and baggage that the last extraction from a byte carrier resolved, kept by one reader (a Kafka
/// consumer's partition worker) so that the next carrier sending the same `x-highlight-request` and `baggage` bytes
/// reuses them instead of decoding and checking them again. Consecutive messages of one partition usually come from
/// one request, which sends the same session and baggage with every message; the `traceparent` differs per message
/// and is always parsed. The last single `tracestate` is kept the same way (a request forwards one `tracestate`).
///
/// A hit is decided on the exact bytes (and on the limits they were checked against), so it restores what a fresh
/// extraction would, and counts the same refusals again. A carrier with several `baggage` headers is never kept.
///
/// Its reading of a carrier is inlinable, specialised where the byte path is (see
/// ``HighlightPropagator/readBytes(from:memo:)``).
@usableFromInline
package struct ByteExtractionMemo {
    @usableFromInline var request: [UInt8]?
    @usableFromInline var baggage: [UInt8]?
    @usableFromInline var limits: PropagationLimits?
    @usableFromInline var session: InboundSession?
    /// What ``session`` restores, once made (see ``sessionValues(_:)``): `.none` until then.
    @usableFromInline var values: PropagatedValuesBox??
    /// The last single `tracestate` value read, and what checking and normalising it gave (see
    /// ``traceState(at:in:)``).
    @usableFromInline var traceStateBytes: [UInt8]?
    @usableFromInline var normalizedTraceState: Result<String?, PropagationRejection>?
    /// How many extractions reused what was kept.
    package private(set) var hits = 0

    /// Whether ``keep(_:request:baggage:in:limits:)`` keeps anything.
    @usableFromInline let keeps: Bool

    /// An empty memo.
    package init() { keeps = true }

    private init(keeping: Bool) { keeps = keeping }

    /// A memo that keeps nothing, for a single extraction: keeping would copy the values' bytes for no later use.
    @usableFromInline
    package static var none: ByteExtractionMemo { ByteExtractionMemo(keeping: false) }

    /// Whether the session kept is the one for these values (they are the bytes it was kept for); a hit is counted.
    @inlinable
    mutating func holds<Source: PropagationByteSource>(request requestIndex: Int?, baggage baggageIndex: Int?, in source: Source, limits: PropagationLimits) -> Bool {
        guard session != nil, limits == self.limits,
              Self.matches(request, requestIndex, in: source),
              Self.matches(baggage, baggageIndex, in: source)
        else { return false }
        countHit()
        return true
    }

    @usableFromInline
    mutating func countHit() { hits += 1 }

    /// Keeps `session` as what these values resolve to; `false` for a memo that keeps nothing.
    @inlinable
    mutating func keep<Source: PropagationByteSource>(_ session: InboundSession, request requestIndex: Int?, baggage baggageIndex: Int?, in source: Source, limits: PropagationLimits) -> Bool {
        guard keeps else { return false }
        request = requestIndex.map { Self.bytes(at: $0, in: source) }
        baggage = baggageIndex.map { Self.bytes(at: $0, in: source) }
        self.limits = limits
        self.session = session
        values = .none
        return true
    }

    /// What the kept session restores (its session and baggage), made by `make` the first time it is asked for and
    /// the same reference after that, until another session is kept.
    @usableFromInline
    mutating func sessionValues(_ make: () -> PropagatedValuesBox?) -> PropagatedValuesBox? {
        if let values { return values }
        let made = make()
        values = .some(made)
        return made
    }

    /// For a hit: `count` reads the kept session, in place, and its values are returned (made by `make` from it the
    /// first time, as ``sessionValues(_:)`` does).
    ///
    /// - Parameters:
    ///   - count: records the session's extraction and refusals.
    ///   - make: what the session restores.
    @usableFromInline
    mutating func keptValues(count: (InboundSession) -> Void, make: (InboundSession) -> PropagatedValuesBox?) -> PropagatedValuesBox? {
        guard session != nil else { return nil }
        count(session!)
        if let values { return values }
        let made = make(session!)
        values = .some(made)
        return made
    }

    /// The single `tracestate` header at `index`, checked and normalised as ``W3CTraceContextParser`` does it, or the
    /// result kept for the same bytes: the messages of one request forward the same `tracestate`, whose decoding,
    /// checks and `String` were about a sixth of a consumed message's byte-path extraction. The result is what a
    /// fresh reading gives, refusal included, so it is counted the same.
    @inlinable
    mutating func traceState<Source: PropagationByteSource>(at index: Int, in source: Source) -> Result<String?, PropagationRejection> {
        if let normalizedTraceState, Self.matches(traceStateBytes, index, in: source) { return normalizedTraceState }
        let result = W3CTraceContextParser.normalizing(HighlightPropagator.text(at: index, in: source))
        if keeps {
            traceStateBytes = Self.bytes(at: index, in: source)
            normalizedTraceState = result
        }
        return result
    }

    /// Both absent, or both present with the same bytes.
    @inlinable
    static func matches<Source: PropagationByteSource>(_ kept: [UInt8]?, _ index: Int?, in source: Source) -> Bool {
        switch (kept, index) {
        case (nil, nil): return true
        case (let kept?, let index?):
            var equal = false
            source.withValue(at: index) { equal = Self.equal(kept, $0) }
            return equal
        default: return false
        }
    }

    /// memcmp, not a loop of checked subscripts (1.5% of a propagating consumer's profile).
    @usableFromInline
    static func equal(_ kept: [UInt8], _ value: UnsafeBufferPointer<UInt8>) -> Bool {
        kept.withUnsafeBufferPointer { kept in
            kept.count == value.count && (kept.isEmpty || memcmp(kept.baseAddress!, value.baseAddress!, kept.count) == 0)
        }
    }

    @inlinable
    static func bytes<Source: PropagationByteSource>(at index: Int, in source: Source) -> [UInt8] {
        var bytes: [UInt8] = []
        source.withValue(at: index) { bytes = Array($0) }
        return bytes
    }
}
