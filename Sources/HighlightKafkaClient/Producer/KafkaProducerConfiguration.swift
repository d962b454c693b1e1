/// How a ``KafkaProducer`` connects and batches. Every field maps to a librdkafka property; ``additionalProperties``
/// passes anything else (TLS, SASL, tuning) through unchanged.
///
/// ```swift
/// var configuration = KafkaProducerConfiguration(bootstrapServers: ["localhost:9092"])
/// configuration.linger = .milliseconds(10)
/// configuration.additionalProperties["security.protocol"] = "SASL_SSL"
/// ```
public struct KafkaProducerConfiguration: Sendable {
    /// Which replicas must acknowledge a write.
    public enum Acknowledgements: String, Sendable {
        /// Every in-sync replica (`acks=all`): required by idempotence.
        case all = "all"
        /// The partition leader only (`acks=1`).
        case leader = "1"
        /// No acknowledgement (`acks=0`): messages can be lost.
        case none = "0"
    }

    /// Compression of message batches.
    public enum Compression: String, Sendable {
        case none, gzip, snappy, lz4, zstd
    }

    /// `bootstrap.servers`: `host:port` of one or more brokers.
    public var bootstrapServers: [String]
    /// `client.id`.
    public var clientID: String
    /// `acks`; default ``Acknowledgements/all``.
    public var acknowledgements: Acknowledgements
    /// `enable.idempotence`; default on: no duplicates and no reordering on retries.
    public var idempotence: Bool
    /// `linger.ms`: how long to wait to fill a batch; default 5 ms.
    public var linger: Duration
    /// `batch.size` in bytes; default 1,000,000.
    public var batchSize: Int
    /// `compression.type`; default none.
    public var compression: Compression
    /// `message.timeout.ms`: how long a message may wait for delivery before it fails with
    /// ``KafkaErrorCode/messageTimedOut``; default 30 s.
    public var messageTimeout: Duration
    /// `queue.buffering.max.messages`: the local queue's size in messages; a full queue makes ``KafkaProducer/send(_:)``
    /// wait for room. Default 100,000.
    public var queueMaxMessages: Int
    /// `queue.buffering.max.kbytes`; default 1,048,576 (1 GiB).
    public var queueMaxKilobytes: Int
    /// How many fire-and-forget delivery reports ``KafkaProducer/deliveryReports`` keeps for a slow reader before
    /// dropping the oldest (a drop is counted and logged, and the message itself is unaffected). Default 100,000.
    /// 0 turns the stream off (it finishes at once): choose that when nothing reads it, so the poll thread does not
    /// spend its time filling a buffer and ``KafkaProducer/sendAndForget(_:)`` keeps no record of a message while it is
    /// in flight; failures are still counted in ``KafkaProducer/statistics`` and logged, and
    /// ``KafkaProducer/sendAndForget(_:onDelivery:)`` still reports each outcome to its closure.
    public var deliveryReportBufferSize: Int
    /// Any other librdkafka property; these win over the typed fields.
    public var additionalProperties: [String: String]

    /// Creates a configuration with the defaults above.
    ///
    /// - Parameters:
    ///   - bootstrapServers: `host:port` of one or more brokers.
    ///   - clientID: the name the brokers log for this client.
    public init(bootstrapServers: [String], clientID: String = "highlight-kafka-producer") {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.acknowledgements = .all
        self.idempotence = true
        self.linger = .milliseconds(5)
        self.batchSize = 1_000_000
        self.compression = .none
        self.messageTimeout = .seconds(30)
        self.queueMaxMessages = 100_000
        self.queueMaxKilobytes = 1_048_576
        self.deliveryReportBufferSize = 100_000
        self.additionalProperties = [:]
    }

    /// The librdkafka properties, typed fields first, then ``additionalProperties``.
    public var properties: [(String, String)] {
        var typed: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers.joined(separator: ",")),
            ("client.id", clientID),
            ("acks", acknowledgements.rawValue),
            ("enable.idempotence", idempotence ? "true" : "false"),
            ("linger.ms", String(linger.milliseconds)),
            ("batch.size", String(batchSize)),
            ("compression.type", compression.rawValue),
            ("message.timeout.ms", String(messageTimeout.milliseconds)),
            ("queue.buffering.max.messages", String(queueMaxMessages)),
            ("queue.buffering.max.kbytes", String(queueMaxKilobytes)),
        ]
        typed.removeAll { additionalProperties[$0.0] != nil }
        return typed + additionalProperties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

extension Duration {
    /// Whole milliseconds, rounded down, never negative: how librdkafka takes durations.
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
