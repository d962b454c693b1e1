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
    public static func parse(traceParent: String?, traceState: String?) -> Result {
        guard let traceParent else { return Result(traceContext: nil, rejections: []) }
        let normalized: String
        do {
            normalized = try normalize(traceParent)
        } catch {
            return Result(traceContext: nil, rejections: [error])
        }
        let parent: TraceContext
        do {
            parent = try TraceContext(traceParentHeaderValue: normalized)
        } catch {
            return Result(traceContext: nil, rejections: [classify(normalized)])
        }
        let normalizedState: String
        switch normalize(traceState: traceState ?? "") {
        case .success(let members) where members.isEmpty:
            return Result(traceContext: parent, rejections: [])
        case .success(let members):
            normalizedState = members
        case .failure(let rejection):
            return Result(traceContext: parent, rejections: [rejection])
        }
        guard let withState = try? TraceContext(traceParentHeaderValue: normalized, traceStateHeaderValue: normalizedState),
            withState.state.count <= PropagationLimits.maximumTraceStateMembers
        else {
            return Result(traceContext: parent, rejections: [PropagationRejection(.traceState, .malformed)])
        }
        return Result(traceContext: withState, rejections: [])
    }

    /// Trims the value, checks its version, and returns the 55 characters of a version-00 value.
    private static func normalize(_ value: String) throws(PropagationRejection) -> String {
        let bytes = Array(value.utf8)
        var slice = bytes[...].trimmingOptionalWhitespace()
        if slice.contains(where: { $0 < 0x20 || $0 == 0x7F }) { throw PropagationRejection(.traceParent, .controlCharacter) }
        if slice.contains(where: { $0 >= 0x80 }) { throw PropagationRejection(.traceParent, .nonASCII) }
        guard slice.count >= 55 else { throw PropagationRejection(.traceParent, .malformed) }
        let start = slice.startIndex
        guard let high = slice[start].lowercaseHexValue, let low = slice[start + 1].lowercaseHexValue else {
            throw PropagationRejection(.traceParent, .invalidCharacter)
        }
        let version = high << 4 | low
        guard version != 0xFF else { throw PropagationRejection(.traceParent, .unsupportedVersion) }
        if version == 0 {
            guard slice.count == 55 else { throw PropagationRejection(.traceParent, .malformed) }
        } else {
            guard slice.count == 55 || slice[start + 55] == .hyphen else {
                throw PropagationRejection(.traceParent, .unsupportedVersion)
            }
            slice = slice[start..<(start + 55)]
            slice[start] = UInt8(ascii: "0")
            slice[start + 1] = UInt8(ascii: "0")
        }
        return String(decoding: slice, as: UTF8.self)
    }

    /// Names why swift-w3c-trace-context refused a normalized value.
    private static func classify(_ normalized: String) -> PropagationRejection {
        let bytes = Array(normalized.utf8)
        guard bytes[2] == .hyphen, bytes[35] == .hyphen, bytes[52] == .hyphen else {
            return PropagationRejection(.traceParent, .malformed)
        }
        let hexRanges = [3..<35, 36..<52, 53..<55]
        for range in hexRanges where !bytes[range].allSatisfy({ $0.lowercaseHexValue != nil }) {
            return PropagationRejection(.traceParent, .invalidCharacter)
        }
        return PropagationRejection(.traceParent, .allZeroIdentifier)
    }

    /// Refuses a `tracestate` with characters it can never hold, or with too many members, before the library
    /// parses it; otherwise returns its members trimmed of whitespace, empty ones left out, joined by `,`.
    private static func normalize(traceState: String) -> Swift.Result<String, PropagationRejection> {
        let bytes = Array(traceState.utf8)
        if bytes.contains(where: { $0 < 0x20 && $0 != .tab || $0 == 0x7F }) {
            return .failure(PropagationRejection(.traceState, .controlCharacter))
        }
        if bytes.contains(where: { $0 >= 0x80 }) { return .failure(PropagationRejection(.traceState, .nonASCII)) }
        // 32 members of at most 256 + 1 + 256 bytes, with separators and whitespace: anything longer is invalid.
        if bytes.count > 32 * 520 { return .failure(PropagationRejection(.traceState, .tooLong)) }
        let members = bytes.split(separator: .comma).map { $0.trimmingOptionalWhitespace() }.filter { !$0.isEmpty }
        if members.count > PropagationLimits.maximumTraceStateMembers {
            return .failure(PropagationRejection(.traceState, .tooManyMembers))
        }
        if members.contains(where: { !$0.contains(.equals) || $0.last == .equals }) {
            return .failure(PropagationRejection(.traceState, .malformed))
        }
        return .success(String(decoding: Array(members.joined(separator: [.comma])), as: UTF8.self))
    }
}

extension UInt8 {
    /// The value of a lowercase hexadecimal digit, or `nil` (W3C Trace Context allows lowercase only).
    var lowercaseHexValue: UInt8? {
        switch self {
        case 0x30...0x39: self - 0x30
        case 0x61...0x66: self - 0x61 + 10
        default: nil
        }
    }
}

extension String {
    func trimmingOptionalWhitespace() -> String {
        let bytes = Array(utf8)[...].trimmingOptionalWhitespace()
        return bytes.count == utf8.count ? self : String(decoding: bytes, as: UTF8.self)
    }
}
