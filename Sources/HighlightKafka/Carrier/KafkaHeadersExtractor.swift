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
    /// Kafka message headers, in message order.
    public typealias Carrier = [KafkaHeader]

    /// Creates the extractor.
    public init() {}

    // Headers are read in place through the array's buffer: a `for header in carrier` loop copies each header
    // (retaining its name and value) for every key looked up, and reference counting was the largest single cost of
    // a consumer's extraction (10% of its CPU in swift_retain alone).

    /// Every value of the headers named `key` (ignoring ASCII case), in message order.
    ///
    /// - Parameters:
    ///   - key: the header name, matched ignoring ASCII case.
    ///   - carrier: the message's headers.
    /// - Returns: the values that are valid UTF-8, in message order; a value that is not is skipped.
    public func extractAll(key: String, from carrier: [KafkaHeader]) -> [String] {
        carrier.withUnsafeBufferPointer { headers in
            var values: [String] = []
            for index in headers.indices where headers[index].name.equalsIgnoringASCIICase(key) {
                if let value = headers[index].stringValue { values.append(value) }
            }
            return values
        }
    }

    /// The last value of the headers named `key` (ignoring ASCII case), read without collecting the others.
    ///
    /// - Parameters:
    ///   - key: the header name, matched ignoring ASCII case.
    ///   - carrier: the message's headers.
    /// - Returns: the last such header's value, or `nil` when there is none or its value is not valid UTF-8.
    public func extract(key: String, from carrier: [KafkaHeader]) -> String? {
        carrier.withUnsafeBufferPointer { headers in
            for index in headers.indices.reversed() where headers[index].name.equalsIgnoringASCIICase(key) {
                if let value = headers[index].stringValue { return value }
            }
            return nil
        }
    }
}
