/// One Kafka message header: a name and bytes (or no value at all). A message may hold several headers of the same
/// name; their order is kept.
///
/// ```swift
/// let header = KafkaHeader(name: "x-highlight-request", string: "abc/req1")
/// header.stringValue  // "abc/req1"
/// ```
public struct KafkaHeader: Sendable, Hashable {
    /// The header's name, exactly as written (Kafka compares header names as bytes).
    public var name: String
    /// The value's bytes; `nil` for a header written without a value.
    public var value: [UInt8]?

    /// Creates a header with byte value.
    ///
    /// - Parameters:
    ///   - name: the header name.
    ///   - value: the value's bytes, or `nil` for a header without value.
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// Creates a header whose value is the UTF-8 of `string`.
    ///
    /// - Parameters:
    ///   - name: the header name.
    ///   - string: the value, written as UTF-8.
    public init(name: String, string: String) {
        self.name = name
        self.value = Array(string.utf8)
    }

    /// The value decoded as UTF-8 (invalid bytes become U+FFFD); `nil` when there is no value.
    public var stringValue: String? { value.map { String(decoding: $0, as: UTF8.self) } }
}
