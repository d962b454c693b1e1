public import W3CTraceContext

/// Reads W3C `traceparent` and `tracestate` values, covering the points swift-w3c-trace-context leaves open.
///
/// - A version above `00` is read by its first 55 characters when the 56th is `-` or absent (forward
///   compatibility); `ff` is invalid. The context is then forwarded as version `00`, the version this package speaks.
/// - All 8 flag bits are kept (bit 1 is trace-context level 2's "random trace id": OpenTelemetry Python sends `03`).
/// - Hex must be lowercase; all-zero trace or parent ids are invalid.
/// - An invalid `tracestate`, or one with more than 32 members, drops the `tracestate` only, never the
///   `traceparent`.
///
/// ```swift
/// let result = W3CTraceContextParser.parse(
///     traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03",
///     traceState: "congo=t61rcWkgMzE"
/// )
/// result.traceContext?.flags.rawValue  // 3
/// ```
public enum W3CTraceContextParser {
    /// What ``parse(traceParent:traceState:)`` found.
    public struct Result: Sendable {
        /// The trace context, or `nil` when `traceparent` was absent or refused.
        public var traceContext: TraceContext?
        /// What was refused, and why.
        public var rejections: [PropagationRejection]
    }

    /// Parses one `traceparent` value and the combined `tracestate` value of the same carrier.
    ///
    /// - Parameters:
    ///   - traceParent: the `traceparent` value, or `nil` when the carrier has none.
    ///   - traceState: the `tracestate` values joined with `,`, or `nil`.
    /// - Returns: the trace context (or `nil`) and what was refused, and why.
    public static func parse(traceParent: String?, traceState: String?) -> Result {
        let forwarded = parseForwarding(traceParent: traceParent, traceState: traceState)
        return Result(traceContext: forwarded.context?.traceContext, rejections: forwarded.rejections)
    }

    /// What the propagator keeps: the parsed `traceparent` and the validated `tracestate` text, whose `TraceState`
    /// is only built when somebody reads it (building it costs more than parsing everything else).
    static func parseForwarding(traceParent: String?, traceState: String?) -> (context: ForwardedTraceContext?, rejections: [PropagationRejection]) {
        guard var traceParent else { return (nil, []) }
        // Byte-level parsing here, not swift-w3c-trace-context's decoder: that one walks Characters and grows an array
        // per character of `tracestate` (profiled at a third of a full-context extraction).
        let parsed = traceParent.withUTF8 { bytes in
            Swift.Result { () throws(PropagationRejection) in try parseTraceParent(bytes) }
        }
        // A valid version-00 value is exactly 55 bytes once trimmed, in lowercase: at 55 bytes untrimmed it is
        // already what would be sent.
        let canonical = traceParent.utf8.count == 55 && traceParent.utf8.starts(with: "00".utf8) ? traceParent : nil
        return forwarding(parsed, canonical: canonical, traceState: traceState)
    }

    /// ``parseForwarding(traceParent:traceState:)`` for a `traceparent` read as bytes (a Kafka header's): the same
    /// rules, no `String` made for it (forwarding it formats one from the parsed ids, only if it is ever sent).
    ///
    /// The `tracestate` comes checked and normalised (``normalizing(_:)``), so that a reader of many carriers can keep
    /// the result for the next one sending the same bytes; it is used only when the `traceparent` is valid, as here.
    static func parseForwarding(
        traceParentBytes: UnsafeBufferPointer<UInt8>, normalizedTraceState: Swift.Result<String?, PropagationRejection>
    ) -> (context: ForwardedTraceContext?, rejections: [PropagationRejection]) {
        let parsed = Swift.Result { () throws(PropagationRejection) in try parseTraceParent(traceParentBytes) }
        return forwarding(parsed, canonical: nil, normalizedTraceState: normalizedTraceState)
    }

    /// A `tracestate` as it is forwarded: `nil` for an empty one, otherwise ``normalizedTraceState(_:)``.
    @usableFromInline
    static func normalizing(_ traceState: String) -> Swift.Result<String?, PropagationRejection> {
        traceState.isEmpty ? .success(nil) : normalizedTraceState(traceState)
    }

    private static func forwarding(
        _ parsed: Swift.Result<SpanIdentity, PropagationRejection>,
        canonical: String?,
        traceState: String?
    ) -> (context: ForwardedTraceContext?, rejections: [PropagationRejection]) {
        // The `tracestate` is read only for a valid `traceparent`.
        guard case .success = parsed else { return forwarding(parsed, canonical: canonical, normalizedTraceState: .success(nil)) }
        return forwarding(parsed, canonical: canonical, normalizedTraceState: traceState.map(normalizing) ?? .success(nil))
    }

    private static func forwarding(
        _ parsed: Swift.Result<SpanIdentity, PropagationRejection>,
        canonical: String?,
        normalizedTraceState: Swift.Result<String?, PropagationRejection>
    ) -> (context: ForwardedTraceContext?, rejections: [PropagationRejection]) {
        let parent: SpanIdentity
        switch parsed {
        case .success(let value): parent = value
        case .failure(let rejection): return (nil, [rejection])
        }
        func forwarded(_ state: String?) -> ForwardedTraceContext {
            ForwardedTraceContext(
                identity: SpanIdentity(traceIDHigh: parent.traceIDHigh, traceIDLow: parent.traceIDLow, spanID: parent.spanID, flags: parent.flags, traceState: state),
                encodedTraceParent: canonical
            )
        }
        switch normalizedTraceState {
        case .success(let normalized): return (forwarded(normalized), [])
        case .failure(let rejection): return (forwarded(nil), [rejection])
        }
    }

    /// A valid `tracestate` with its members trimmed and empty ones left out, joined by `,` (the value itself when
    /// it already is that); `nil` when no member is left.
    static func normalizedTraceState(_ value: String) -> Swift.Result<String?, PropagationRejection> {
        var text = value
        return text.withUTF8 { bytes in
            var keptBytes = 0
            var members = 0
            do throws(PropagationRejection) {
                try forEachTraceStateMember(bytes) { member in
                    keptBytes += member.count + (members > 0 ? 1 : 0)
                    members += 1
                }
            } catch {
                return .failure(error)
            }
            if members == 0 { return .success(nil) }
            // Only whitespace and empty members are ever left out, so an equal length means an equal text.
            if keptBytes == bytes.count { return .success(value) }
            var normalized: [UInt8] = []
            normalized.reserveCapacity(keptBytes)
            try? forEachTraceStateMember(bytes) { member in
                if !normalized.isEmpty { normalized.append(.comma) }
                normalized.append(contentsOf: member)
            }
            return .success(String(decoding: normalized, as: UTF8.self))
        }
    }

    /// Builds a `TraceState` from a value ``normalizedTraceState(_:)`` accepted.
    static func traceState(fromNormalized value: String) -> TraceState {
        var entries: [(TraceState.Vendor, String)] = []
        for member in value.utf8.split(separator: .comma) {
            guard let equals = member.firstIndex(of: .equals) else { continue }
            entries.append((
                TraceState.Vendor(rawValue: String(decoding: member[..<equals], as: UTF8.self)),
                String(decoding: member[member.index(after: equals)...], as: UTF8.self)
            ))
        }
        return TraceState(entries)
    }

    /// Reads a `traceparent`: trimmed of optional whitespace, version checked, the first 55 bytes of a later version.
    /// The ids are decoded straight into integers, as a tracer of this package continues them (without `tracestate`).
    private static func parseTraceParent(_ value: UnsafeBufferPointer<UInt8>) throws(PropagationRejection) -> SpanIdentity {
        var start = 0
        var end = value.count
        while start < end, value[start].isOptionalWhitespace { start += 1 }
        while end > start, value[end - 1].isOptionalWhitespace { end -= 1 }
        let bytes = UnsafeBufferPointer(rebasing: value[start..<end])
        // One pass for both refusals; which one it is, is worked out only for a value that has one.
        if bytes.contains(where: { $0 < 0x20 || $0 >= 0x7F }) {
            if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) { throw PropagationRejection(.traceParent, .controlCharacter) }
            throw PropagationRejection(.traceParent, .nonASCII)
        }
        guard bytes.count >= 55 else { throw PropagationRejection(.traceParent, .malformed) }
        let (versionHigh, versionLow) = (hexDigit(bytes[0]), hexDigit(bytes[1]))
        guard versionHigh.invalid | versionLow.invalid == 0 else { throw PropagationRejection(.traceParent, .invalidCharacter) }
        switch versionHigh.value << 4 | versionLow.value {
        case 0xFF: throw PropagationRejection(.traceParent, .unsupportedVersion)
        case 0x00: guard bytes.count == 55 else { throw PropagationRejection(.traceParent, .malformed) }
        default: guard bytes.count == 55 || bytes[55] == .hyphen else { throw PropagationRejection(.traceParent, .unsupportedVersion) }
        }
        guard bytes[2] == .hyphen, bytes[35] == .hyphen, bytes[52] == .hyphen else {
            throw PropagationRejection(.traceParent, .malformed)
        }
        // The ids eight digits at a time (see LowercaseHex); the flags' two digits one by one.
        let (flagsHigh, flagsLow) = (hexDigit(bytes[53]), hexDigit(bytes[54]))
        guard let traceHigh = LowercaseHex.decode16(bytes, at: 3), let traceLow = LowercaseHex.decode16(bytes, at: 19),
              let span = LowercaseHex.decode16(bytes, at: 36), flagsHigh.invalid | flagsLow.invalid == 0
        else { throw PropagationRejection(.traceParent, .invalidCharacter) }
        guard traceHigh | traceLow != 0, span != 0 else { throw PropagationRejection(.traceParent, .allZeroIdentifier) }
        return SpanIdentity(traceIDHigh: traceHigh, traceIDLow: traceLow, spanID: span, flags: flagsHigh.value << 4 | flagsLow.value, traceState: nil)
    }

    /// A lowercase hex digit's value, and 1 in `invalid` for any other byte (the value is then meaningless): W3C Trace
    /// Context allows lowercase only. Written as selects, not branches.
    @inline(__always)
    private static func hexDigit(_ byte: UInt8) -> (value: UInt8, invalid: UInt8) {
        let digit = byte &- 0x30
        let letter = byte &- 0x61
        let isDigit = digit < 10
        return (isDigit ? digit : letter &+ 10, isDigit || letter < 6 ? 0 : 1)
    }

    /// Visits each member of a combined `tracestate` (trimmed, empty ones skipped), refusing the whole value at the
    /// first bad member or past 32.
    private static func forEachTraceStateMember(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ visit: (_ member: UnsafeBufferPointer<UInt8>) -> Void
    ) throws(PropagationRejection) {
        if bytes.contains(where: { $0 < 0x20 && $0 != .tab || $0 == 0x7F }) { throw PropagationRejection(.traceState, .controlCharacter) }
        if bytes.contains(where: { $0 >= 0x80 }) { throw PropagationRejection(.traceState, .nonASCII) }
        // 32 members of at most 256 + 1 + 256 bytes, with separators and whitespace: anything longer is invalid.
        if bytes.count > 32 * 520 { throw PropagationRejection(.traceState, .tooLong) }
        var count = 0
        var memberStart = 0
        while memberStart <= bytes.count {
            var memberEnd = memberStart
            while memberEnd < bytes.count, bytes[memberEnd] != .comma { memberEnd += 1 }
            var start = memberStart
            var end = memberEnd
            memberStart = memberEnd + 1
            while start < end, bytes[start].isOptionalWhitespace { start += 1 }
            while end > start, bytes[end - 1].isOptionalWhitespace { end -= 1 }
            guard start < end else { continue }
            guard count < PropagationLimits.maximumTraceStateMembers else { throw PropagationRejection(.traceState, .tooManyMembers) }
            let member = UnsafeBufferPointer(rebasing: bytes[start..<end])
            guard let equals = member.firstIndex(of: .equals), isTraceStateKey(UnsafeBufferPointer(rebasing: member[..<equals])),
                isTraceStateValue(UnsafeBufferPointer(rebasing: member[(equals + 1)...]))
            else { throw PropagationRejection(.traceState, .malformed) }
            count += 1
            visit(member)
        }
    }

    /// `simple-key` (`lcalpha 0*255key-char`) or `tenant-id@system-id` (`(lcalpha/DIGIT) 0*240key-char` "@"
    /// `lcalpha 0*13key-char`).
    private static func isTraceStateKey(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        func isKeyCharacter(_ byte: UInt8) -> Bool {
            switch byte {
            case 0x61...0x7A, 0x30...0x39, UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"): true
            default: false
            }
        }
        func isLowercaseLetter(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) }
        guard let first = key.first else { return false }
        guard let at = key.firstIndex(of: UInt8(ascii: "@")) else {
            return key.count <= 256 && isLowercaseLetter(first) && key.allSatisfy(isKeyCharacter)
        }
        let tenant = key[..<at]
        let system = key[(at + 1)...]
        return (1...241).contains(tenant.count) && (isLowercaseLetter(first) || (0x30...0x39).contains(first))
            && tenant.allSatisfy(isKeyCharacter) && (1...14).contains(system.count) && isLowercaseLetter(system[system.startIndex])
            && system.allSatisfy(isKeyCharacter)
    }

    /// `0*255chr nblk-chr`: printable ASCII without `,` and `=`, not ending in a space.
    private static func isTraceStateValue(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let last = value.last, last != .space, value.count <= 256 else { return false }
        return value.allSatisfy { $0 >= 0x20 && $0 <= 0x7E && $0 != .comma && $0 != .equals }
    }
}

extension TraceContext {
    /// The `traceparent` value of this context (version `00`), built without string interpolation.
    var encodedTraceParent: String {
        String(unsafeUninitializedCapacity: 55) { buffer in
            var index = 0
            func put(_ byte: UInt8) {
                buffer[index] = byte
                index += 1
            }
            func putHex(_ byte: UInt8) {
                put(lowercaseHexDigit(byte >> 4))
                put(lowercaseHexDigit(byte & 0x0F))
            }
            putHex(0)
            put(.hyphen)
            withUnsafeBytes(of: traceID.bytes) { for byte in $0 { putHex(byte) } }
            put(.hyphen)
            withUnsafeBytes(of: spanID.bytes) { for byte in $0 { putHex(byte) } }
            put(.hyphen)
            putHex(flags.rawValue)
            return index
        }
    }

    /// The `tracestate` value of this context, members joined by `,`; `nil` when it has none.
    var encodedTraceState: String? {
        guard !state.isEmpty else { return nil }
        var text = ""
        for element in state {
            if !text.isEmpty { text += "," }
            text += element.vendor.rawValue
            text += "="
            text += element.value
        }
        return text
    }
}

private func lowercaseHexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
}

