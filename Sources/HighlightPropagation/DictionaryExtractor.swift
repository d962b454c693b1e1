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
    ///
    /// - Parameters:
    ///   - key: the name, matched ignoring ASCII case.
    ///   - carrier: the dictionary.
    /// - Returns: the values of every matching key.
    public func extractAll(key: String, from carrier: [String: String]) -> [String] {
        var matches: [(key: String, value: String)] = []
        for entry in carrier where entry.key.equalsIgnoringASCIICase(key) {
            matches.append(entry)
        }
        if matches.count > 1 { matches.sort { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) } }
        return matches.map(\.value)
    }

    /// The value of the one key matching `key` ignoring ASCII case, found in one pass; when several match, the last in
    /// byte order, as ``extractAll(key:from:)`` orders them.
    ///
    /// - Parameters:
    ///   - key: the name, matched ignoring ASCII case.
    ///   - carrier: the dictionary.
    /// - Returns: the value, or `nil` when no key matches.
    public func extract(key: String, from carrier: [String: String]) -> String? {
        var found: String?
        for entry in carrier where entry.key.equalsIgnoringASCIICase(key) {
            if found != nil { return extractAll(key: key, from: carrier).last }
            found = entry.value
        }
        return found
    }
}
