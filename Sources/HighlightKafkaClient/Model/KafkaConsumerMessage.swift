/// A consumed message. Key, value and headers are copies: the message outlives librdkafka's buffers.
public struct KafkaConsumerMessage: Sendable, Hashable {
    /// The topic it was read from.
    public var topic: String
    /// The partition it was read from.
    public var partition: Int32
    /// Its offset in the partition.
    public var offset: Int64
    /// The key; `nil` when the message has none.
    public var key: [UInt8]?
    /// The value; `nil` for a tombstone.
    public var value: [UInt8]?
    /// The headers, in the order they were written; names may repeat.
    public var headers: [KafkaHeader]
    /// The timestamp in milliseconds since 1970, when the message has one.
    public var timestampMilliseconds: Int64?
    /// How many revocations the consumer had served when it fetched this message (see
    /// ``KafkaConsumer/revocationCount``): a message fetched before its partition's latest revocation is stale, even
    /// if the partition came back. 0 for messages made by hand.
    package var revocationsBeforeFetch: UInt64 = 0

    /// Creates a message (tests and tools build their own).
    ///
    /// - Parameters:
    ///   - topic: the topic it was read from.
    ///   - partition: the partition it was read from.
    ///   - offset: its offset in the partition.
    ///   - key: the key, or `nil`.
    ///   - value: the value, or `nil` for a tombstone.
    ///   - headers: the headers, in order.
    ///   - timestampMilliseconds: milliseconds since 1970, or `nil`.
    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]? = nil,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// The topic and partition.
    public var topicPartition: KafkaTopicPartition { KafkaTopicPartition(topic: topic, partition: partition) }

    /// The position to commit once this message is processed: its offset plus one.
    public var nextPosition: KafkaTopicPartitionOffset {
        KafkaTopicPartitionOffset(topic: topic, partition: partition, offset: offset + 1)
    }

    /// The key as UTF-8 text.
    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
    /// The value as UTF-8 text.
    public var valueString: String? { value.map { String(decoding: $0, as: UTF8.self) } }

    /// The last header named `name`, compared ignoring ASCII case.
    ///
    /// - Parameter name: the header name.
    /// - Returns: the header, or `nil` when the message has none of that name.
    public func lastHeader(named name: String) -> KafkaHeader? {
        headers.last { $0.name.equalsIgnoringASCIICase(name) }
    }
}
