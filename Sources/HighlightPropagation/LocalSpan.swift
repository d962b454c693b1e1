package import W3CTraceContext

/// A span's identity as it propagates: its ids as integers (no W3C value to copy), its flags and the `tracestate` it
/// carries.
package struct SpanIdentity: Sendable {
    package let traceIDHigh: UInt64
    package let traceIDLow: UInt64
    package let spanID: UInt64
    package let flags: UInt8
    /// The validated, normalized `tracestate` value.
    package let traceState: String?

    package init(traceIDHigh: UInt64, traceIDLow: UInt64, spanID: UInt64, flags: UInt8, traceState: String?) {
        self.traceIDHigh = traceIDHigh
        self.traceIDLow = traceIDLow
        self.spanID = spanID
        self.flags = flags
        self.traceState = traceState
    }

    /// The inbound context's ids, as a tracer reads its parent.
    init(forwarded: ForwardedTraceContext) {
        self = forwarded.identity
    }

    /// The ids and flags of a W3C trace context (its state is not read), with `traceState`.
    init(_ context: TraceContext, traceState: String?) {
        let (high, low) = withUnsafeBytes(of: context.traceID.bytes) { ($0.load(as: UInt64.self).bigEndian, $0.load(fromByteOffset: 8, as: UInt64.self).bigEndian) }
        let span = withUnsafeBytes(of: context.spanID.bytes) { $0.load(as: UInt64.self).bigEndian }
        self.init(traceIDHigh: high, traceIDLow: low, spanID: span, flags: context.flags.rawValue, traceState: traceState)
    }

    /// The length of a version-00 `traceparent`.
    static let traceParentLength = 55

    /// `00-<trace id>-<span id>-<flags>`.
    package var encodedTraceParent: String {
        String(unsafeUninitializedCapacity: Self.traceParentLength) { buffer in
            writeTraceParent(into: buffer)
            return Self.traceParentLength
        }
    }

    /// Writes the `traceparent` into `buffer`, which holds at least ``traceParentLength`` bytes.
    func writeTraceParent(into buffer: UnsafeMutableBufferPointer<UInt8>) {
        let digits: StaticString = "0123456789abcdef"
        var index = 0
        func put(_ byte: UInt8) {
            buffer[index] = byte
            index += 1
        }
        func hex(_ value: UInt64, bytes: Int) {
            for shift in stride(from: (bytes - 1) * 8, through: 0, by: -8) {
                let byte = UInt8(truncatingIfNeeded: value >> UInt64(shift))
                put(digits.utf8Start[Int(byte >> 4)])
                put(digits.utf8Start[Int(byte & 0xF)])
            }
        }
        put(UInt8(ascii: "0"))
        put(UInt8(ascii: "0"))
        put(UInt8(ascii: "-"))
        hex(traceIDHigh, bytes: 8)
        hex(traceIDLow, bytes: 8)
        put(UInt8(ascii: "-"))
        hex(spanID, bytes: 8)
        put(UInt8(ascii: "-"))
        hex(UInt64(flags), bytes: 1)
    }

    package var traceID: TraceID {
        let bytes = (traceIDHigh.bigEndian, traceIDLow.bigEndian)
        return TraceID(bytes: unsafeBitCast(bytes, to: TraceID.Bytes.self))
    }

    package var spanIDValue: SpanID {
        SpanID(bytes: unsafeBitCast(spanID.bigEndian, to: SpanID.Bytes.self))
    }

    /// As a W3C trace context.
    package var traceContext: TraceContext {
        var context = TraceContext(traceID: traceID, spanID: spanIDValue, flags: TraceFlags(rawValue: flags), state: TraceState())
        if let traceState { context.state = W3CTraceContextParser.traceState(fromNormalized: traceState) }
        return context
    }
}

/// The span of this package's tracer that is active in a context, as the propagator sees it: its identity. Kept in
/// the context's ``ContextSlot`` beside the propagated values, so that binding a span writes one slot and leaves the
/// session and baggage where they are; ``HighlightPropagator`` injects it as `traceparent`/`tracestate` in place of a
/// forwarded one.
///
/// Class-bound: a reference and a witness table fit, with the values' reference, in the inline buffer of the
/// context's existential value, where a struct identity (five words) would be boxed.
package protocol LocalSpan: AnyObject, Sendable {
    var identity: SpanIdentity { get }
    /// The propagated values of the context the span was started in.
    var parentValues: PropagatedValuesBox? { get }
}
