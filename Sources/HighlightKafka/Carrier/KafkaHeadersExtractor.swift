public import HighlightKafkaClient
public import HighlightPropagation

/// Reads propagated values from Kafka message headers: names match ignoring ASCII case (Kafka compares bytes, and
/// other producers write `X-Highlight-Request`), the last header of a name wins, values are decoded as UTF-8 (an
/// invalid byte becomes U+FFFD, which the propagator refuses and counts).
///
/// ```swift
/// let context = ServiceContext.extract(from: message.headers, using: KafkaHeadersExtractor())
/// ```
public struct KafkaHeadersExtractor: HeaderValuesExtractor {
    public typealias Carrier = [KafkaHeader]

    /// Creates the extractor.
    public init() {}

    /// Every value of the headers named `key` (ignoring ASCII case), in message order.
    public func extractAll(key: String, from carrier: [KafkaHeader]) -> [String] {
        var values: [String] = []
        for header in carrier where header.name.equalsIgnoringASCIICase(key) {
            if let value = header.stringValue { values.append(value) }
        }
        return values
    }

    /// The last value of the headers named `key` (ignoring ASCII case), read without collecting the others.
    public func extract(key: String, from carrier: [KafkaHeader]) -> String? {
        for header in carrier.reversed() where header.name.equalsIgnoringASCIICase(key) {
            if let value = header.stringValue { return value }
        }
        return nil
    }
}
