public import HighlightPropagation
public import NIOHTTP1

/// Reads propagated values from NIO's `HTTPHeaders` (the header type of AsyncHTTPClient and Vapor). Names match
/// ignoring case, as HTTP defines them; a name sent more than once gives every value, in order.
///
/// ```swift
/// let context = ServiceContext.extract(from: request.headers, using: HTTPHeadersExtractor())
/// ```
public struct HTTPHeadersExtractor: HeaderValuesExtractor {
    /// Creates the extractor.
    public init() {}

    /// Every value of the header named `key`, in order.
    ///
    /// - Parameters:
    ///   - key: the header name (names match ignoring case).
    ///   - carrier: the headers.
    /// - Returns: the values, in order.
    public func extractAll(key: String, from carrier: HTTPHeaders) -> [String] {
        carrier[key]
    }

    /// The last value of the header named `key`.
    ///
    /// - Parameters:
    ///   - key: the header name (names match ignoring case).
    ///   - carrier: the headers.
    /// - Returns: the value, or `nil` when there is no such header.
    public func extract(key: String, from carrier: HTTPHeaders) -> String? {
        carrier.last { $0.name.equalsIgnoringASCIICase(key) }?.value
    }
}
