/// Why a propagated value was refused.
///
/// Every parser in this module reports a refused value as a `PropagationRejection`: the value is then treated as
/// absent ("no context" for that field only), counted in ``PropagationStatistics``, and logged at debug level. The
/// rejected value itself is never copied onward and never logged.
///
/// ```swift
/// do {
///     let context = try HighlightRequestContext.parse("abc\r\nx-evil: 1/req")
/// } catch {
///     print(error)  // x-highlight-request rejected: it contains a control character (CR, LF, NUL, ...)
/// }
/// ```
public struct PropagationRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// The propagated field a rejection is about.
    public enum Field: String, Hashable, Sendable, CaseIterable {
        /// The `x-highlight-request` header, or its mirror in a `baggage` member.
        case highlightRequest = "x-highlight-request"
        /// The W3C `traceparent` header.
        case traceParent = "traceparent"
        /// The W3C `tracestate` header.
        case traceState = "tracestate"
        /// The W3C `baggage` header, or one of its list members.
        case baggage = "baggage"
    }

    /// What was wrong with the value.
    public enum Reason: String, Hashable, Sendable, CaseIterable {
        /// A control character (CR, LF, NUL, DEL, a tab inside the value): it could smuggle a header.
        case controlCharacter = "it contains a control character (CR, LF, NUL, ...)"
        /// A byte outside ASCII, including invalid UTF-8.
        case nonASCII = "it contains a non-ASCII byte or invalid UTF-8"
        /// Longer than the configured limit.
        case tooLong = "it is longer than the configured limit"
        /// `x-highlight-request` without a session id before the `/`.
        case missingSession = "it has no session id before the '/'"
        /// A character the format does not allow at that place (a space inside an id, an uppercase hex digit, ...).
        case invalidCharacter = "it contains a character the format does not allow"
        /// The value does not have the format's shape (wrong length, missing delimiters, missing `=`).
        case malformed = "it does not have the expected shape"
        /// A `traceparent` version this package cannot read (`ff`, or a higher version without a `-` after 55 characters).
        case unsupportedVersion = "its version is invalid or unsupported"
        /// An all-zero trace id or parent id.
        case allZeroIdentifier = "its trace id or parent id is all zeros"
        /// More list members than the configured limit (`tracestate`: 32; `baggage`: ``PropagationLimits/maximumBaggageMembers``).
        case tooManyMembers = "it has more list members than the limit"
    }

    /// The field that was refused.
    public var field: Field
    /// Why it was refused.
    public var reason: Reason

    /// Creates a rejection for `field` because of `reason`.
    ///
    /// - Parameters:
    ///   - field: the header the value came from.
    ///   - reason: why it was refused.
    public init(_ field: Field, _ reason: Reason) {
        self.field = field
        self.reason = reason
    }

    /// A sentence saying which field was refused and why; it never contains the value.
    public var description: String {
        "\(field.rawValue) rejected: \(reason.rawValue)"
    }
}
