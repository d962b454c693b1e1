/// A message to produce.
///
/// ```swift
/// let record = KafkaProducerRecord(topic: "orders", key: "order-42", value: #"{"total": 12}"#)
/// let receipt = try await producer.send(record)
/// ```
public struct KafkaProducerRecord: Sendable, Hashable {
    /// The destination topic.
    public var topic: String
    /// The destination partition; `nil` lets the partitioner choose (by key hash when there is a key).
    public var partition: Int32?
    /// The key; `nil` for none.
    public var key: [UInt8]?
    /// The value; `nil` is a tombstone (a valid message with a null value), distinct from an empty value.
    public var value: [UInt8]?
    /// Headers, in order; names may repeat.
    public var headers: [KafkaHeader]
    /// The message timestamp in milliseconds since 1970; `nil` lets librdkafka use the current time.
    public var timestampMilliseconds: Int64?

    /// Creates a record with byte key and value.
    ///
    /// - Parameters:
    ///   - topic: the topic to send to.
    ///   - partition: the partition; `nil` lets the partitioner choose (by key when there is one).
    ///   - key: the key's bytes, or `nil`.
    ///   - value: the value's bytes, or `nil` for a tombstone.
    ///   - headers: the headers, in order.
    ///   - timestampMilliseconds: milliseconds since 1970; `nil` for the time of sending.
    public init(
        topic: String,
        partition: Int32? = nil,
        key: [UInt8]? = nil,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// Creates a record whose key and value are UTF-8 text.
    ///
    /// - Parameters:
    ///   - topic: the topic to send to.
    ///   - partition: the partition; `nil` lets the partitioner choose (by key when there is one).
    ///   - key: the key, written as UTF-8, or `nil`.
    ///   - value: the value, written as UTF-8, or `nil` for a tombstone.
    ///   - headers: the headers, in order.
    ///   - timestampMilliseconds: milliseconds since 1970; `nil` for the time of sending.
    public init(
        topic: String,
        partition: Int32? = nil,
        key: String? = nil,
        value: String?,
        headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil
    ) {
        self.init(
            topic: topic,
            partition: partition,
            key: key.map { Array($0.utf8) },
            value: value.map { Array($0.utf8) },
            headers: headers,
            timestampMilliseconds: timestampMilliseconds
        )
    }
}
