/// The frontend session and request that caused the work at hand, as carried by `x-highlight-request`.
///
/// highlight's browser SDK sends `x-highlight-request: <sessionSecureID>/<requestID>` to the backends listed in its
/// `tracingOrigins`. This value travels with the work (HTTP headers, Kafka message headers, any key-value carrier)
/// so that errors and logs raised far from the browser still link to the user's session replay.
///
/// ```swift
/// let context = HighlightRequestContext(headerValue: "a1b2c3d4/req42")
/// context?.sessionSecureID  // "a1b2c3d4"
/// context?.requestID        // "req42"
///
/// var serviceContext = ServiceContext.topLevel
/// serviceContext.highlightRequest = context
/// ```
///
/// Every instance holds only visible ASCII without `/` in its ids, so its ``headerValue`` is always safe to write
/// into any carrier: a value with CR or LF can never be built.
public struct HighlightRequestContext: Sendable, Hashable {
    /// The header (and baggage member) name, lowercase as written on injection.
    public static let headerName = "x-highlight-request"

    /// The session's secure id: 28 alphanumerics from the browser SDK, shorter tokens from other SDKs.
    ///
    /// Read from ``headerValue`` (which holds both ids) on each access: extraction then makes one `String` per
    /// message instead of three.
    public var sessionSecureID: String { String(sessionSecureIDSlice) }

    /// The request id: 10 alphanumerics, or a 32-hex W3C trace id; `nil` when the sender only knew the session.
    public var requestID: String? { requestIDSlice.map(String.init) }

    /// ``sessionSecureID`` as a slice of ``headerValue``, with no `String` of its own: the exporter writes it from
    /// here once per span.
    package var sessionSecureIDSlice: Substring { Substring(headerValue.utf8.prefix(sessionLength)) }

    /// ``requestID`` as a slice of ``headerValue``.
    package var requestIDSlice: Substring? {
        let request = headerValue.utf8.dropFirst(sessionLength + 1)
        return request.isEmpty ? nil : Substring(request)
    }

    /// The session id's length in bytes: ``headerValue`` is `<session>/<request>`.
    private let sessionLength: Int

    /// Creates a context from its two ids, or returns `nil` when they cannot travel safely.
    ///
    /// The session id must be a non-empty token of visible ASCII without `/`; the request id likewise (an empty
    /// request id means none). The whole header value must fit in `maximumLength` bytes.
    ///
    /// - Parameters:
    ///   - sessionSecureID: the browser session's secure id.
    ///   - requestID: the request id, or `nil` (or empty) for none.
    ///   - maximumLength: the most bytes the header value may take.
    public init?(sessionSecureID: String, requestID: String?, maximumLength: Int = PropagationLimits.default.maximumHighlightRequestBytes) {
        guard Self.isToken(sessionSecureID), !sessionSecureID.isEmpty else { return nil }
        let request = (requestID?.isEmpty ?? true) ? nil : requestID
        if let request, !Self.isToken(request) { return nil }
        guard sessionSecureID.utf8.count + 1 + (request?.utf8.count ?? 0) <= maximumLength else { return nil }
        self.init(uncheckedSession: sessionSecureID, request: request)
    }

    /// Parses a `x-highlight-request` value, returning `nil` when it carries no context or is refused.
    ///
    /// Use ``parse(_:maximumLength:)`` to learn why a value was refused.
    ///
    /// - Parameter headerValue: an `x-highlight-request` value.
    public init?(headerValue: some StringProtocol) {
        guard let parsed = try? Self.parse(headerValue) else { return nil }
        self = parsed
    }

    /// - Parameter headerValue: the value already in canonical form, when the caller has it (a parsed header that
    ///   needed no trimming); otherwise it is built here.
    private init(uncheckedSession: String, request: String?, headerValue: String? = nil) {
        self.sessionLength = uncheckedSession.utf8.count
        self.headerValue = headerValue ?? uncheckedSession + "/" + (request ?? "")
    }

    /// A context from a canonical header value (`<session>/<request>`, one slash, both tokens checked).
    private init(canonical headerValue: String, sessionLength: Int) {
        self.sessionLength = sessionLength
        self.headerValue = headerValue
    }

    /// The value to send in `x-highlight-request`: `<sessionSecureID>/<requestID>`, with an empty request id
    /// when there is none.
    ///
    /// Kept rather than built on each read: every injection writes it, often twice (the header and its baggage
    /// mirror). A parsed value that was already in this form is kept as it came, so extraction allocates nothing for it.
    public let headerValue: String

    /// Parses a `x-highlight-request` value by this package's rules.
    ///
    /// | value | session | request |
    /// |---|---|---|
    /// | `abc123/req9` | `abc123` | `req9` |
    /// | `abc123/` | `abc123` | none |
    /// | `abc/def/ghi` | `abc` | `def` |
    /// | `noslash` | `noslash` | none |
    /// | empty or blank | returns `nil` | |
    /// | `/req9` | throws ``PropagationRejection/Reason/missingSession`` | |
    ///
    /// Spaces and tabs around the value are trimmed. A value with a control character, a non-ASCII byte, a space
    /// inside an id, or more than `maximumLength` bytes throws a ``PropagationRejection``.
    ///
    /// - Parameters:
    ///   - value: an `x-highlight-request` value.
    ///   - maximumLength: the most bytes the value may take.
    /// - Returns: the context, or `nil` when the value is empty or blank (no context, and nothing wrong).
    /// - Throws: ``PropagationRejection`` saying why the value was refused.
    public static func parse(
        _ value: some StringProtocol,
        maximumLength: Int = PropagationLimits.default.maximumHighlightRequestBytes
    ) throws(PropagationRejection) -> HighlightRequestContext? {
        var string = String(value)
        let original = string
        let result = string.withUTF8 { bytes in
            Result { () throws(PropagationRejection) in try parse(bytes: bytes, original: original, maximumLength: maximumLength) }
        }
        return try result.get()
    }

    /// - Parameter original: the string `bytes` belong to, kept as ``headerValue`` when it is already canonical.
    private static func parse(
        bytes: UnsafeBufferPointer<UInt8>,
        original: String,
        maximumLength: Int
    ) throws(PropagationRejection) -> HighlightRequestContext? {
        guard bytes.count <= maximumLength else { throw PropagationRejection(.highlightRequest, .tooLong) }
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == .space || bytes[start] == .tab { start += 1 }
        while end > start, bytes[end - 1] == .space || bytes[end - 1] == .tab { end -= 1 }
        // Control characters are looked for over the whole value first: CR/LF is the one that matters most.
        for byte in bytes where byte < 0x20 && !(byte == .tab) || byte == 0x7F {
            throw PropagationRejection(.highlightRequest, .controlCharacter)
        }
        var firstSlash: Int?
        var secondSlash: Int?
        for index in start..<end {
            let byte = bytes[index]
            if byte >= 0x80 { throw PropagationRejection(.highlightRequest, .nonASCII) }
            if byte == .tab { throw PropagationRejection(.highlightRequest, .controlCharacter) }
            if byte == .space { throw PropagationRejection(.highlightRequest, .invalidCharacter) }
            if byte == .slash {
                if firstSlash == nil { firstSlash = index } else if secondSlash == nil { secondSlash = index }
            }
        }
        guard start < end else { return nil }
        let sessionEnd = firstSlash ?? end
        guard sessionEnd > start else { throw PropagationRejection(.highlightRequest, .missingSession) }
        // Canonical: nothing trimmed, one slash, nothing after a second one. `noslash` is not (it is sent as `noslash/`).
        if start == 0 && end == bytes.count && firstSlash != nil && secondSlash == nil {
            return HighlightRequestContext(canonical: original, sessionLength: sessionEnd)
        }
        let session = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<sessionEnd]), as: UTF8.self)
        var request: String?
        if let firstSlash {
            let requestEnd = secondSlash ?? end
            if requestEnd > firstSlash + 1 {
                request = String(decoding: UnsafeBufferPointer(rebasing: bytes[(firstSlash + 1)..<requestEnd]), as: UTF8.self)
            }
        }
        return HighlightRequestContext(uncheckedSession: session, request: request)
    }

    /// A token is visible ASCII (`!` through `~`) without `/`.
    private static func isToken(_ string: String) -> Bool {
        string.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != .slash }
    }
}

extension HighlightRequestContext: CustomStringConvertible {
    /// The header value; session ids are not secret but identify a user, so log this at debug level only.
    public var description: String { headerValue }
}
