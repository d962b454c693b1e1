/// A `baggage` header value kept as the text it came in, because it is already exactly what ``W3CBaggage`` would
/// write: forwarding it then parses, decodes and re-encodes nothing.
///
/// Only a value that passes ``init(validating:limits:)`` is kept this way: one header, every member valid with no
/// whitespace, no empty member, no property, percent-escapes only where ``PercentEncoding`` would write them (uppercase,
/// ASCII), and within the limits. Anything else takes the full parse, with its trimming, dropping and counting, so a
/// value kept here yields the same members and the same forwarded text as the parse would (the propagator's property
/// tests compare the two paths). The members are parsed only when somebody reads them.
struct ForwardedBaggage: Sendable {
    /// The header value, as received.
    let text: String
    /// How many members it holds.
    let memberCount: Int
    /// The last member named `x-highlight-request` (any case), when there is one.
    let mirror: Mirror?
    /// The limits it was validated against, which parsing it later must use too (the defaults could drop members).
    let limits: PropagationLimits

    struct Mirror: Sendable {
        /// How many members have that name.
        var count: Int
        /// Whether the last of them is the last member of the value.
        var isLastMember: Bool
        /// Whether it is spelled as the propagator writes it (lowercase).
        var hasCanonicalName: Bool
        /// Its value's bytes in ``ForwardedBaggage/text``, still percent-encoded.
        var value: Range<Int>
    }

    /// Keeps `text` when it is in the form described above and fits `limits`; `nil` otherwise.
    init?(validating text: String, limits: PropagationLimits) {
        var text = text
        guard text.utf8.count <= limits.maximumBaggageBytes,
            let scan = text.withUTF8({ Self.scan($0, maximumMembers: limits.maximumBaggageMembers) })
        else { return nil }
        self.text = text
        self.memberCount = scan.members
        self.mirror = scan.mirror
        self.limits = limits
    }

    /// The members, parsed now (the value was validated against the same limits, so nothing is refused).
    var baggage: W3CBaggage {
        W3CBaggage.parse(CollectionOfOne(text), limits: limits).baggage ?? W3CBaggage()
    }

    /// Whether the mirror's value, percent-decoded, is `value`, compared without decoding into a new string.
    func mirrorValue(equals value: String) -> Bool {
        guard let mirror else { return false }
        var text = text
        var value = value
        return text.withUTF8 { bytes in
            value.withUTF8 { expected in
                var next = 0
                var index = mirror.value.lowerBound
                while index < mirror.value.upperBound {
                    var byte = bytes[index]
                    if byte == .percent, let high = bytes[index + 1].hexValue, let low = bytes[index + 2].hexValue {
                        byte = high << 4 | low
                        index += 3
                    } else {
                        index += 1
                    }
                    guard next < expected.count, expected[next] == byte else { return false }
                    next += 1
                }
                return next == expected.count
            }
        }
    }

    /// The value to send when the members named `x-highlight-request` (any case) are replaced by a mirror of
    /// `session`, or removed when `session` is `nil`, as ``HighlightPropagator`` does; `nil` when that needs the
    /// members parsed (a mirror of another value or spelling, several of them, or a result past `limits`).
    func headerValue(replacingMirrorWith session: String?, limits: PropagationLimits) -> String? {
        switch (mirror, session) {
        case (nil, nil):
            return headerValue(limits: limits)
        case (let mirror?, let session?):
            // The mirror already says this session, under the propagator's spelling, where it would be appended.
            guard mirror.count == 1, mirror.isLastMember, mirror.hasCanonicalName, mirrorValue(equals: session) else { return nil }
            return headerValue(limits: limits)
        case (nil, let session?):
            let name = HighlightRequestContext.headerName
            let encoded = PercentEncoding.encode(session)
            let length = text.utf8.count + 1 + name.utf8.count + 1 + encoded.utf8.count
            guard fits(members: memberCount + 1, bytes: length, limits) else { return nil }
            var value = ""
            value.reserveCapacity(length)
            value += text
            value += ","
            value += name
            value += "="
            value += encoded
            return value
        case (_?, nil):
            return nil
        }
    }

    /// The value unchanged: what is forwarded when the propagator does not mirror the session.
    func headerValue(limits: PropagationLimits) -> String? {
        fits(members: memberCount, bytes: text.utf8.count, limits) ? text : nil
    }

    private func fits(members: Int, bytes: Int, _ limits: PropagationLimits) -> Bool {
        members <= limits.maximumBaggageMembers && bytes <= limits.maximumBaggageBytes
    }

    /// Counts the members and finds the mirror, or returns `nil` at the first byte the full parse would treat
    /// differently from copying it.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, maximumMembers: Int) -> (members: Int, mirror: Mirror?)? {
        var members = 0
        var mirror: Mirror?
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != .comma { end += 1 }
            // name=value: a non-empty token, then baggage octets with canonical escapes.
            var equals = start
            while equals < end, bytes[equals].isTokenCharacter { equals += 1 }
            guard equals > start, equals < end, bytes[equals] == .equals else { return nil }
            var index = equals + 1
            while index < end {
                let byte = bytes[index]
                if byte == .percent {
                    guard index + 2 < end, PercentEncoding.isCanonicalEscape(bytes[index + 1], bytes[index + 2]) else { return nil }
                    index += 3
                } else {
                    guard byte.isBaggageOctet else { return nil }  // also refuses `;` (properties) and whitespace
                    index += 1
                }
            }
            members += 1
            guard members <= maximumMembers else { return nil }
            let name = UnsafeBufferPointer(rebasing: bytes[start..<equals])
            if let spelling = mirrorSpelling(name) {
                mirror = Mirror(
                    count: (mirror?.count ?? 0) + 1,
                    isLastMember: end == bytes.count,
                    hasCanonicalName: spelling == .lowercase,
                    value: (equals + 1)..<end
                )
            }
            start = end + 1
        }
        return (members, mirror)
    }

}

private enum MirrorSpelling {
    case lowercase, otherCase
}

/// Whether `name` is `x-highlight-request` in any case, compared in place (this runs for every member of every
/// forwarded baggage).
private func mirrorSpelling(_ name: UnsafeBufferPointer<UInt8>) -> MirrorSpelling? {
    var expected = HighlightRequestContext.headerName
    return expected.withUTF8 { expected in
        guard name.count == expected.count else { return nil }
        var exact = true
        for index in 0..<name.count where name[index] != expected[index] {
            guard name[index].asciiLowercased == expected[index] else { return nil }
            exact = false
        }
        return exact ? .lowercase : .otherCase
    }
}
