/// Something that happened to a ``KafkaConsumer`` besides a message: reported on ``KafkaConsumer/events``, never
/// thrown, never a crash.
public enum KafkaConsumerEvent: Sendable, Hashable {
    /// The group gave this consumer these partitions.
    case partitionsAssigned([KafkaTopicPartition])
    /// The group took these partitions away; their processed offsets were committed first.
    case partitionsRevoked([KafkaTopicPartition])
    /// The consumer has read everything in a partition up to this offset (with
    /// ``KafkaConsumerConfiguration/partitionEOFEvents``).
    case partitionEOF(KafkaTopicPartitionOffset)
    /// Offsets were committed.
    case offsetsCommitted([KafkaTopicPartitionOffset])
    /// An error librdkafka reported; it keeps retrying retriable ones by itself.
    case error(KafkaError)
}
