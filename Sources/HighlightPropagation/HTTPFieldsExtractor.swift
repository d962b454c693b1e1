public import HTTPTypes

/// Reads propagated values from swift-http-types' `HTTPFields` (field names are case-insensitive there already).
///
/// ```swift
/// var fields = HTTPFields()
/// fields[HTTPField.Name("x-highlight-request")!] = "abc/req1"
/// let context = ServiceContext.extract(from: fields)
/// ```
public struct HTTPFieldsExtractor: HeaderValuesExtractor {
    /// Creates the extractor.
    public typealias Carrier = HTTPFields

    /// Creates the extractor.
    public init() {}

    /// Every value of the field named `key`, in order; none when `key` is not a valid field name.
    ///
    /// - Parameters:
    ///   - key: the field name (field names match ignoring case).
    ///   - carrier: the fields.
    /// - Returns: the values, in order.
    public func extractAll(key: String, from carrier: HTTPFields) -> [String] {
        guard let name = HTTPField.Name.propagated(key) else { return [] }
        return carrier[values: name]
    }

    /// The last value of the field named `key`.
    ///
    /// - Parameters:
    ///   - key: the field name (field names match ignoring case).
    ///   - carrier: the fields.
    /// - Returns: the value, or `nil` when there is no such field.
    public func extract(key: String, from carrier: HTTPFields) -> String? {
        guard let name = HTTPField.Name.propagated(key) else { return nil }
        return carrier.last { $0.name == name }?.value
    }
}

extension HTTPField.Name {
    static let highlightRequest = HTTPField.Name(HighlightRequestContext.headerName)!
    static let traceParent = HTTPField.Name(PropagationHeader.traceParent)!
    static let traceState = HTTPField.Name(PropagationHeader.traceState)!
    static let baggage = HTTPField.Name(PropagationHeader.baggage)!

    /// The field name for `key`, reusing the names this package propagates instead of validating them each time.
    static func propagated(_ key: String) -> HTTPField.Name? {
        switch key {
        case HighlightRequestContext.headerName: .highlightRequest
        case PropagationHeader.traceParent: .traceParent
        case PropagationHeader.traceState: .traceState
        case PropagationHeader.baggage: .baggage
        default: HTTPField.Name(key)
        }
    }
}
