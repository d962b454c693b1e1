/// How a ``KafkaConsumer`` connects, what it reads and how it hands messages over. Every field maps to a librdkafka
/// property or to this package's hand-off; ``additionalProperties`` passes anything else through unchanged.
///
/// ```swift
/// // A member of a consumer group:
/// let group = KafkaConsumerConfiguration(bootstrapServers: ["localhost:9092"], subscription: .group(id: "workers", topics: ["orders"]))
/// // A reader of fixed partitions that joins no group and commits nothing (what `hlkafka inspect` does):
/// let reader = KafkaConsumerConfiguration(
///     bootstrapServers: ["localhost:9092"],
///     subscription: .assignment([KafkaTopicPartitionOffset(topic: "orders", partition: 0, offset: KafkaTopicPartitionOffset.beginning)])
/// )
/// ```
public struct KafkaConsumerConfiguration: Sendable {
    /// What the consumer reads.
    public enum Subscription: Sendable, Hashable {
        /// Join the consumer group `id` and share `topics`' partitions with its other members.
        case group(id: String, topics: [String])
        /// Read exactly these partitions from these offsets, without joining a group. Nothing can be committed unless
        /// `groupID` is given.
        case assignment([KafkaTopicPartitionOffset], groupID: String? = nil)
    }

    /// Where a group starts when it has no committed offset.
    public enum OffsetReset: String, Sendable {
        /// The oldest message still kept.
        case earliest
        /// Only messages produced from now on.
        case latest
    }

    /// `bootstrap.servers`.
    public var bootstrapServers: [String]
    /// `client.id`.
    public var clientID: String
    /// What to read.
    public var subscription: Subscription
    /// `auto.offset.reset`; default ``OffsetReset/earliest``, so nothing produced before the first start is skipped.
    public var offsetReset: OffsetReset
    /// Commit processed offsets in the background every ``autoCommitInterval`` (`enable.auto.commit`). Default off:
    /// offsets are committed by your calls, or by ``KafkaConsumer/run(_:)`` after each handler returns. Either way
    /// only offsets of processed messages are ever committed.
    public var autoCommit: Bool
    /// `auto.commit.interval.ms`, with ``autoCommit``.
    public var autoCommitInterval: Duration
    /// How often ``KafkaConsumer/run(_:)`` commits the offsets its handler finished (asynchronously); it also commits
    /// on revocation and at shutdown, synchronously. Default 500 ms.
    public var commitInterval: Duration
    /// `session.timeout.ms`; default 45 s.
    public var sessionTimeout: Duration
    /// `max.poll.interval.ms`: the longest a handler may hold up fetching; default 300 s.
    public var maxPollInterval: Duration
    /// Report reaching the end of a partition as ``KafkaConsumerEvent/partitionEOF(_:)`` (`enable.partition.eof`).
    public var partitionEOFEvents: Bool
    /// The most messages taken from librdkafka in one hand-off. Default 1,024.
    public var batchSize: Int
    /// How many messages may wait between librdkafka and your code; past it the poll thread stops taking more
    /// (backpressure). Default 10,000.
    public var bufferCapacity: Int
    /// Any other librdkafka property; these win over the typed fields.
    public var additionalProperties: [String: String]

    /// Creates a configuration with the defaults above.
    ///
    /// - Parameters:
    ///   - bootstrapServers: `host:port` of one or more brokers.
    ///   - subscription: a group subscription, or partitions assigned by hand.
    ///   - clientID: the name the brokers log for this client.
    public init(bootstrapServers: [String], subscription: Subscription, clientID: String = "highlight-kafka-consumer") {
        self.bootstrapServers = bootstrapServers
        self.subscription = subscription
        self.clientID = clientID
        self.offsetReset = .earliest
        self.autoCommit = false
        self.autoCommitInterval = .seconds(5)
        self.commitInterval = .milliseconds(500)
        self.sessionTimeout = .seconds(45)
        self.maxPollInterval = .seconds(300)
        self.partitionEOFEvents = false
        self.batchSize = 1024
        self.bufferCapacity = 10_000
        self.additionalProperties = [:]
    }

    /// The group id, when there is one.
    public var groupID: String? {
        switch subscription {
        case .group(let id, _): id
        case .assignment(_, let groupID): groupID
        }
    }

    /// The librdkafka properties, typed fields first, then ``additionalProperties``.
    public var properties: [(String, String)] {
        var typed: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers.joined(separator: ",")),
            ("client.id", clientID),
            ("auto.offset.reset", offsetReset.rawValue),
            ("enable.auto.commit", autoCommit ? "true" : "false"),
            // Offsets are stored only once a message is processed, so any commit covers processed messages only.
            ("enable.auto.offset.store", "false"),
            ("auto.commit.interval.ms", String(autoCommitInterval.milliseconds)),
            ("session.timeout.ms", String(sessionTimeout.milliseconds)),
            ("max.poll.interval.ms", String(maxPollInterval.milliseconds)),
            ("enable.partition.eof", partitionEOFEvents ? "true" : "false"),
        ]
        if let groupID {
            typed.append(("group.id", groupID))
        } else {
            // librdkafka 2.0 refuses an assignment without a group id; this one is never joined or committed to.
            typed.append(("group.id", "highlight-reader-\(UInt64.random(in: 0...UInt64.max))"))
        }
        typed.removeAll { additionalProperties[$0.0] != nil }
        return typed + additionalProperties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
