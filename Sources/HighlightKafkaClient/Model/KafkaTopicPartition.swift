/// A partition of a topic.
public struct KafkaTopicPartition: Sendable, Hashable, CustomStringConvertible {
    /// The topic's name.
    public var topic: String
    /// The partition's number.
    public var partition: Int32

    /// Creates a topic partition.
    ///
    /// - Parameters:
    ///   - topic: the topic.
    ///   - partition: the partition number.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    /// `topic[partition]`.
    public var description: String { "\(topic)[\(partition)]" }
}

/// A position in a partition: the offset of the next message to read (or to commit as "processed up to here").
public struct KafkaTopicPartitionOffset: Sendable, Hashable, CustomStringConvertible {
    /// Where the offset applies.
    public var topicPartition: KafkaTopicPartition
    /// The offset, or one of the logical offsets (``beginning``, ``end``, ``stored``).
    public var offset: Int64

    /// Creates a position.
    ///
    /// - Parameters:
    ///   - topic: the topic.
    ///   - partition: the partition number.
    ///   - offset: an offset, or one of the logical positions below.
    public init(topic: String, partition: Int32, offset: Int64) {
        self.topicPartition = KafkaTopicPartition(topic: topic, partition: partition)
        self.offset = offset
    }

    /// The oldest message still in the partition.
    public static let beginning: Int64 = -2
    /// The next message produced after the assignment.
    public static let end: Int64 = -1
    /// The group's committed offset (the default for group consumers).
    public static let stored: Int64 = -1000

    /// The position `count` messages before the end of the partition.
    ///
    /// - Parameter count: how many messages before the end.
    /// - Returns: the logical offset librdkafka reads as that position.
    public static func tail(_ count: Int64) -> Int64 { -2000 - count }

    /// `topic[partition]@offset`.
    public var description: String { "\(topicPartition)@\(offset)" }
}
