import Instrumentation

/// Reads propagated values from a `[String: String]` carrier, matching keys ignoring ASCII case.
///
/// A dictionary has no order, so when it holds one key under several spellings (`X-Highlight-Request` and
/// `x-highlight-request`), the spellings are ordered by their bytes and the last wins: the all-lowercase spelling,
/// the one injectors write, is taken over any other.
///
/// ```swift
/// let context = ServiceContext.extract(from: ["X-Highlight-Request": "abc/req1"])
/// context.highlightRequest?.sessionSecureID  // "abc"
/// ```
public struct DictionaryExtractor: HeaderValuesExtractor {
    /// Creates the extractor.
    public typealias Carrier = [String: String]

    /// Creates the extractor.
    public init() {}

    /// Every value whose key matches `key` ignoring ASCII case, ordered by the keys' bytes.
    public func extractAll(key: String, from carrier: [String: String]) -> [String] {
        var matches: [(key: String, value: String)] = []
        for entry in carrier where entry.key.equalsIgnoringASCIICase(key) {
            matches.append(entry)
        }
        if matches.count > 1 { matches.sort { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) } }
        return matches.map(\.value)
    }

    /// The value for `key`: the exact key first (one hash lookup), else the one key matching it ignoring ASCII case
    /// (the last in byte order when several do, as ``extractAll(key:from:)`` orders them).
    public func extract(key: String, from carrier: [String: String]) -> String? {
        if let exact = carrier[key], !carrier.keys.contains(where: { $0 != key && $0.equalsIgnoringASCIICase(key) }) { return exact }
        return extractAll(key: key, from: carrier).last
    }
}
