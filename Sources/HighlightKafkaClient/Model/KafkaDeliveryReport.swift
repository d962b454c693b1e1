/// Where a produced message landed.
public struct KafkaDeliveryReceipt: Sendable, Hashable {
    /// The topic.
    public var topic: String
    /// The partition it was written to.
    public var partition: Int32
    /// Its offset in the partition.
    public var offset: Int64
    /// Its timestamp in milliseconds since 1970, as the broker recorded it (`nil` when unavailable).
    public var timestampMilliseconds: Int64?

    /// Creates a receipt.
    ///
    /// - Parameters:
    ///   - topic: the topic the message went to.
    ///   - partition: the partition it was stored in.
    ///   - offset: its offset there.
    ///   - timestampMilliseconds: the broker's or producer's timestamp, or `nil`.
    public init(topic: String, partition: Int32, offset: Int64, timestampMilliseconds: Int64?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// The outcome of a message sent with ``KafkaProducer/sendAndForget(_:)``, delivered on
/// ``KafkaProducer/deliveryReports``.
public struct KafkaDeliveryReport: Sendable {
    /// The id ``KafkaProducer/sendAndForget(_:)`` returned for the message.
    public var messageID: UInt64
    /// The topic the message was sent to.
    public var topic: String
    /// Where it landed, or why it was not delivered.
    public var result: Result<KafkaDeliveryReceipt, KafkaError>
}
