public import Instrumentation

/// An `Extractor` that can return every value a carrier holds for a key, in order.
///
/// ``HighlightPropagator`` reads `baggage` and `tracestate` through ``extractAll(key:from:)`` when the extractor
/// offers it, because several headers of those names combine; other keys use the last value. An extractor that only
/// implements `Extractor` still works: it then provides one value per key.
///
/// Keys must match ignoring ASCII case, as the extractors shipped here do.
public protocol HeaderValuesExtractor<Carrier>: Extractor {
    /// The carrier to extract values from.
    associatedtype Carrier: Sendable

    /// Every value held for `key` (matched ignoring ASCII case), in the carrier's order.
    func extractAll(key: String, from carrier: Carrier) -> [String]
}

extension HeaderValuesExtractor {
    /// The last value held for `key`: when a carrier holds a key twice, the last one wins.
    ///
    /// - Parameters:
    ///   - key: the name.
    ///   - carrier: the carrier.
    /// - Returns: the last value, or `nil` when there is none.
    public func extract(key: String, from carrier: Carrier) -> String? {
        extractAll(key: key, from: carrier).last
    }
}
