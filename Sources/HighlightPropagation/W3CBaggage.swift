/// A W3C Baggage value: an ordered list of `name=value;property` members.
///
/// Parse the `baggage` header values a carrier holds with ``parse(_:limits:)`` (several headers combine), keep the
/// result in `ServiceContext.baggage`, and ``HighlightPropagator`` writes it on to the next hop. Values are kept
/// decoded; percent-encoding happens on serialization.
///
/// ```swift
/// var baggage = W3CBaggage(headerValue: "tenant=acme,X-Highlight-Request=abc%2Freq1")!
/// baggage["tenant"]                                    // "acme"
/// baggage.value(forNameIgnoringCase: "x-highlight-request")  // "abc/req1"
/// baggage["plan"] = "gold"
/// baggage.headerValue  // "tenant=acme,X-Highlight-Request=abc%2Freq1,plan=gold"
/// ```
public struct W3CBaggage: Sendable, Hashable {
    /// One list member of a baggage.
    public struct Member: Sendable, Hashable {
        /// The key: an RFC 9110 token, compared case-sensitively as W3C Baggage says.
        public let name: String
        /// The value, percent-decoded.
        public var value: String
        /// The member's properties (`;key=value` or `;key`), kept verbatim, whitespace trimmed.
        public var properties: [String]

        /// Creates a member, or returns `nil` when `name` is not a token or a property has characters baggage
        /// cannot carry.
        ///
        /// - Parameters:
        ///   - name: the member's key, a token as RFC 7230 defines it.
        ///   - value: the member's value, any text (percent-encoded when written).
        ///   - properties: `key` or `key=value` properties, written after the value.
        public init?(name: String, value: String, properties: [String] = []) {
            guard !name.isEmpty, name.utf8.allSatisfy(\.isTokenCharacter) else { return nil }
            let normalized = properties.compactMap(Self.normalizedProperty)
            guard normalized.count == properties.count else { return nil }
            self.name = name
            self.value = value
            self.properties = normalized
        }

        fileprivate init(uncheckedName: String, value: String, properties: [String]) {
            self.name = uncheckedName
            self.value = value
            self.properties = properties
        }

        /// The member as it is written in a header.
        public var headerValue: String {
            var text = ""
            text.reserveCapacity(encodedLength)
            write(into: &text)
            return text
        }

        /// The length of ``headerValue`` in bytes, worked out without building it.
        var encodedLength: Int {
            properties.reduce(name.utf8.count + 1 + PercentEncoding.encodedLength(value)) { $0 + 1 + $1.utf8.count }
        }

        /// Appends ``headerValue`` to `text`.
        func write(into text: inout String) {
            text += name
            text += "="
            text += PercentEncoding.encode(value)
            for property in properties {
                text += ";"
                text += property
            }
        }

        /// A property as `key` or `key=value`, without the optional whitespace W3C allows around `=`; `nil` when
        /// it holds characters baggage cannot carry. Found by the fuzzer: a property kept verbatim could carry a tab.
        static func normalizedProperty(_ property: String) -> String? {
            let bytes = Array(property.utf8)[...].trimmingOptionalWhitespace()
            guard let equals = bytes.firstIndex(of: .equals) else {
                return !bytes.isEmpty && bytes.allSatisfy(\.isTokenCharacter) ? String(decoding: bytes, as: UTF8.self) : nil
            }
            let key = bytes[..<equals].trimmingOptionalWhitespace()
            let value = bytes[(equals + 1)...].trimmingOptionalWhitespace()
            guard !key.isEmpty, key.allSatisfy(\.isTokenCharacter), value.allSatisfy(\.isBaggageOctet) else { return nil }
            return String(decoding: key, as: UTF8.self) + "=" + String(decoding: value, as: UTF8.self)
        }
    }

    /// The members, in order.
    public private(set) var members: [Member]

    /// An empty baggage.
    public init() { members = [] }

    /// A baggage holding `members`, in that order.
    ///
    /// - Parameter members: the members, in order.
    public init(members: [Member]) { self.members = members }

    /// Parses a single `baggage` header value, dropping invalid members; `nil` when nothing valid is left.
    ///
    /// - Parameter headerValue: one `baggage` header value.
    public init?(headerValue: some StringProtocol) {
        let result = Self.parse([headerValue])
        guard let baggage = result.baggage else { return nil }
        self = baggage
    }

    /// Whether the baggage has no member.
    public var isEmpty: Bool { members.isEmpty }

    /// The value of the last member named exactly `name`; setting replaces every member of that name with one
    /// at the end (or removes them all when set to `nil`).
    ///
    /// - Parameter name: the member name, matched exactly.
    public subscript(name: String) -> String? {
        get { members.last { $0.name == name }?.value }
        set {
            members.removeAll { $0.name == name }
            if let newValue, let member = Member(name: name, value: newValue) { members.append(member) }
        }
    }

    /// The value of the last member whose name matches `name` ignoring ASCII case (how `x-highlight-request` is
    /// looked up: Python writes `X-Highlight-Request`, Node reads the lowercase name).
    ///
    /// - Parameter name: the member name, matched ignoring ASCII case.
    /// - Returns: the value, or `nil` when no member has that name.
    public func value(forNameIgnoringCase name: String) -> String? {
        members.last { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    /// Removes every member whose name matches `name` ignoring ASCII case.
    ///
    /// - Parameter name: the member name, matched ignoring ASCII case.
    public mutating func removeMembers(namedIgnoringCase name: String) {
        members.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// Appends a member, keeping any earlier member of the same name.
    ///
    /// - Parameter member: the member to add at the end.
    public mutating func append(_ member: Member) { members.append(member) }

    /// The header value, with every member.
    public var headerValue: String { members.map(\.headerValue).joined(separator: ",") }

    /// The header value cut to `limits`: members are kept in order while they fit; the rest are dropped.
    ///
    /// - Parameter limits: the most members and bytes the value may hold.
    /// - Returns: the value (`nil` when no member fits) and how many members were dropped.
    public func headerValue(limits: PropagationLimits) -> (value: String?, droppedMembers: Int) {
        headerValue(limits: limits, replacingMembersNamedIgnoringCase: nil, with: nil)
    }

    /// The header value cut to `limits`, as if every member named `name` (ignoring ASCII case) had been removed and
    /// `replacement` appended: how ``HighlightPropagator`` writes the session mirror without copying the baggage.
    ///
    /// - Returns: the value (`nil` when no member fits) and how many of the members to write were dropped.
    func headerValue(
        limits: PropagationLimits,
        replacingMembersNamedIgnoringCase name: String?,
        with replacement: Member?
    ) -> (value: String?, droppedMembers: Int) {
        // Measured first (members are kept in order while they fit), so the text is allocated once.
        var candidates = 0
        var kept = 0
        var length = 0
        var full = false
        forEachMember(replacingMembersNamedIgnoringCase: name, with: replacement) { member in
            candidates += 1
            guard !full else { return }
            let next = length + (kept == 0 ? 0 : 1) + member.encodedLength
            guard kept < limits.maximumBaggageMembers, next <= limits.maximumBaggageBytes else {
                full = true
                return
            }
            length = next
            kept += 1
        }
        guard kept > 0 else { return (nil, candidates) }
        var text = ""
        text.reserveCapacity(length)
        var remaining = kept
        forEachMember(replacingMembersNamedIgnoringCase: name, with: replacement) { member in
            guard remaining > 0 else { return }
            if !text.isEmpty { text += "," }
            member.write(into: &text)
            remaining -= 1
        }
        return (text, candidates - kept)
    }

    private func forEachMember(replacingMembersNamedIgnoringCase name: String?, with replacement: Member?, _ body: (Member) -> Void) {
        for member in members where !(name.map { member.name.equalsIgnoringASCIICase($0) } ?? false) { body(member) }
        if let replacement { body(replacement) }
    }

    /// What ``parse(_:limits:)`` found.
    public struct ParseResult: Sendable, Hashable {
        /// The valid members, or `nil` when there were none.
        public var baggage: W3CBaggage?
        /// One entry per member that was dropped, and why.
        public var rejections: [PropagationRejection]
    }

    /// Parses the `baggage` header values of one carrier: several headers combine, in order.
    ///
    /// An invalid member (no `=`, a key that is not a token, a value or property with characters baggage does not
    /// allow) is dropped on its own and reported; the rest are kept. Members past `limits` are dropped and reported
    /// as ``PropagationRejection/Reason/tooManyMembers`` or ``PropagationRejection/Reason/tooLong``.
    ///
    /// - Parameters:
    ///   - headerValues: the carrier's `baggage` header values, in order.
    ///   - limits: the most members and bytes kept.
    /// - Returns: the baggage (`nil` when nothing valid is left) and what was refused, and why.
    public static func parse(_ headerValues: some Sequence<some StringProtocol>, limits: PropagationLimits = .default) -> ParseResult {
        var members: [Member] = []
        var rejections: [PropagationRejection] = []
        var totalBytes = 0
        for headerValue in headerValues {
            var text = String(headerValue)
            text.withUTF8 { bytes in
                // Room for every member at once (at most the limit), instead of growing the array member by member.
                let listed = bytes.reduce(1) { $0 + ($1 == .comma ? 1 : 0) }
                members.reserveCapacity(members.count + min(listed, max(0, limits.maximumBaggageMembers - members.count)))
                var memberStart = 0
                while memberStart <= bytes.count {
                    var memberEnd = memberStart
                    while memberEnd < bytes.count, bytes[memberEnd] != .comma { memberEnd += 1 }
                    let trimmed = bytes[memberStart..<memberEnd].trimmingOptionalWhitespace()
                    memberStart = memberEnd + 1
                    if trimmed.isEmpty { continue }
                    guard let member = parseMember(trimmed) else {
                        rejections.append(PropagationRejection(.baggage, classify(trimmed)))
                        continue
                    }
                    guard members.count < limits.maximumBaggageMembers else {
                        rejections.append(PropagationRejection(.baggage, .tooManyMembers))
                        continue
                    }
                    let length = (members.isEmpty ? 0 : 1) + trimmed.count
                    guard totalBytes + length <= limits.maximumBaggageBytes else {
                        rejections.append(PropagationRejection(.baggage, .tooLong))
                        continue
                    }
                    totalBytes += length
                    members.append(member)
                }
            }
        }
        return ParseResult(baggage: members.isEmpty ? nil : W3CBaggage(members: members), rejections: rejections)
    }

    private static func parseMember(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Member? {
        let pairEnd = bytes.firstIndex(of: .semicolon) ?? bytes.endIndex
        let pair = bytes[..<pairEnd]
        guard let equals = pair.firstIndex(of: .equals) else { return nil }
        let key = pair[..<equals].trimmingOptionalWhitespace()
        let value = pair[(equals + 1)...].trimmingOptionalWhitespace()
        guard !key.isEmpty, key.allSatisfy(\.isTokenCharacter), value.allSatisfy(\.isBaggageOctet) else { return nil }
        var properties: [String] = []
        if pairEnd < bytes.endIndex {
            for rawProperty in bytes[(pairEnd + 1)...].split(separator: .semicolon, omittingEmptySubsequences: false) {
                guard let property = Member.normalizedProperty(String(decoding: rawProperty, as: UTF8.self)) else { return nil }
                properties.append(property)
            }
        }
        return Member(
            uncheckedName: String(decoding: key, as: UTF8.self),
            value: PercentEncoding.decode(value),
            properties: properties
        )
    }

    private static func classify(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> PropagationRejection.Reason {
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return .controlCharacter }
        if bytes.contains(where: { $0 >= 0x80 }) { return .nonASCII }
        if !bytes.contains(.equals) { return .malformed }
        return .invalidCharacter
    }
}

extension W3CBaggage: CustomStringConvertible {
    /// The header value.
    public var description: String { headerValue }
}

extension BidirectionalCollection where Element == UInt8, SubSequence == Self {
    /// The slice without the spaces and tabs (W3C's `OWS`) at either end.
    func trimmingOptionalWhitespace() -> Self {
        var slice = self
        while let first = slice.first, first.isOptionalWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isOptionalWhitespace { slice = slice.dropLast() }
        return slice
    }
}
