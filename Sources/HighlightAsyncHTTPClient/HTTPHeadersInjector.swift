public import Instrumentation
public import NIOHTTP1

/// Writes propagated values into NIO's `HTTPHeaders` (AsyncHTTPClient's header type), replacing earlier values.
public struct HTTPHeadersInjector: Injector {
    /// Creates the injector.
    public init() {}

    /// Replaces every header named `key` with `value`.
    ///
    /// - Parameters:
    ///   - value: the value.
    ///   - key: the header name.
    ///   - carrier: the headers.
    public func inject(_ value: String, forKey key: String, into carrier: inout HTTPHeaders) {
        carrier.replaceOrAdd(name: key, value: value)
    }
}
