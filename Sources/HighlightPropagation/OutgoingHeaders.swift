/// The header values one context sends, apart from a local span's `traceparent`: worked out on the first injection
/// of a context and kept in its ``PropagatedValuesBox``, so every later injection of the same context (each message a
/// request sends, each retry) copies references instead of formatting, percent-encoding and validating again.
///
/// Each value is held as text (for `String` carriers) and as UTF-8 bytes (for byte carriers, which then share the
/// bytes instead of copying them).
///
/// A class of constants: every injection takes the cached values, and a reference costs one retain where a struct of
/// four optional values (eight references) cost eight retains and eight releases per message.
final class OutgoingHeaders: Sendable {
    /// The propagator settings the values depend on: a cache made under other settings is not reused.
    struct Settings: Hashable, Sendable {
        var mirrorSessionIntoBaggage: Bool
        var forwardTraceContext: Bool
        var limits: PropagationLimits
    }

    /// One value, as text and, for byte carriers, as bytes: one reference to hand to a carrier.
    final class Value: Sendable {
        let text: String
        /// Made only for a byte carrier: a `String` carrier would never read it.
        let bytes: [UInt8]?

        init(_ text: String, bytes: Bool) {
            self.text = text
            self.bytes = bytes ? Array(text.utf8) : nil
        }
    }

    let settings: Settings
    /// Whether the values hold their bytes too.
    let hasBytes: Bool
    let request: Value?
    /// The inbound `traceparent` and `tracestate`, sent when no local span replaces them and forwarding is on.
    let forwardedTraceParent: Value?
    let forwardedTraceState: Value?
    let baggage: Value?
    /// Baggage members left out to fit the limits: counted at every injection, as each sends a shortened baggage.
    let droppedBaggageMembers: Int

    /// Works the values out under `settings`: the rules of ``HighlightPropagator/inject(_:into:using:)``.
    ///
    /// - Parameter bytes: make each value's bytes too (for a byte carrier).
    init(_ values: PropagatedValues, settings: Settings, bytes: Bool) {
        self.settings = settings
        self.hasBytes = bytes
        let request = values.request?.headerValue
        self.request = request.map { Value($0, bytes: bytes) }
        let forwarded = settings.forwardTraceContext ? values.forwarded : nil
        forwardedTraceParent = forwarded.map { Value($0.encodedTraceParent, bytes: bytes) }
        forwardedTraceState = forwarded?.traceState.map { Value($0, bytes: bytes) }
        let (baggage, dropped) = Self.baggage(of: values, request: request, settings: settings)
        self.baggage = baggage.map { Value($0, bytes: bytes) }
        droppedBaggageMembers = dropped
    }

    /// The `baggage` value and how many members it left out.
    private static func baggage(of values: PropagatedValues, request: String?, settings: Settings) -> (value: String?, droppedMembers: Int) {
        // A baggage kept as it came is sent as it came, or with the mirror appended, when the limits allow.
        if case .forwarded(let kept) = values.baggageStorage,
            let value = settings.mirrorSessionIntoBaggage
                ? kept.headerValue(replacingMirrorWith: request, limits: settings.limits)
                : kept.headerValue(limits: settings.limits)
        {
            return (value, 0)
        }
        // The mirror replaces any earlier member of its name; written straight into the header value, without
        // copying the context's baggage to edit it.
        let mirror = settings.mirrorSessionIntoBaggage
            ? request.flatMap { W3CBaggage.Member(name: HighlightRequestContext.headerName, value: $0) } : nil
        let members = values.baggage ?? W3CBaggage()
        guard !members.isEmpty || mirror != nil else { return (nil, 0) }
        return members.headerValue(
            limits: settings.limits,
            replacingMembersNamedIgnoringCase: settings.mirrorSessionIntoBaggage ? HighlightRequestContext.headerName : nil,
            with: mirror
        )
    }
}
