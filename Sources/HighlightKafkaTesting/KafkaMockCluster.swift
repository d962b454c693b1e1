public import HighlightKafkaClient

/// An in-process Kafka cluster: librdkafka's mock cluster, speaking the real protocol over loopback TCP.
///
/// Use it in your own tests, or anywhere a broker is needed without one (`hlkafka mock-cluster` runs one). Any Kafka
/// client can connect to ``bootstrapServers``: this package's, kcat, or another language's.
///
/// ```swift
/// let cluster = try KafkaMockCluster(brokers: 3)
/// try cluster.createTopic("orders", partitions: 8)
/// let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
///
/// // Fault injection:
/// cluster.setBrokerDown(1)
/// cluster.pushRequestErrors(.produce, [.notLeaderForPartition, .notLeaderForPartition])
/// ```
///
/// Keep in mind what a mock cluster is: it keeps about 5 MB per partition (older messages are deleted, as if by
/// retention) and auto-created topics get 4 partitions. Create topics with enough partitions for volume tests.
public final class KafkaMockCluster: Sendable {
    /// The Kafka protocol requests faults can be injected into.
    public enum Request: Int16, Sendable, CaseIterable {
        case produce = 0
        case fetch = 1
        case listOffsets = 2
        case metadata = 3
        case offsetCommit = 8
        case offsetFetch = 9
        case findCoordinator = 10
        case joinGroup = 11
        case heartbeat = 12
        case leaveGroup = 13
        case syncGroup = 14
        case initProducerID = 22
    }

    /// `host:port,...` of every broker, for `bootstrap.servers`.
    public let bootstrapServers: String
    /// How many brokers the cluster has; broker ids are `1...brokerCount`.
    public let brokerCount: Int

    private let cluster: RDKafkaMockCluster

    /// Starts a cluster of `brokers` brokers on loopback ports chosen by the system.
    ///
    /// - Parameter brokers: how many brokers, numbered from 1.
    /// - Throws: `KafkaError` of kind `KafkaError.Kind.mockCluster` when librdkafka cannot start it.
    public init(brokers: Int = 1) throws(KafkaError) {
        guard brokers >= 1 else {
            throw KafkaError(kind: .invalidArgument, code: .invalidArgument, message: "a mock cluster needs at least one broker")
        }
        self.cluster = try RDKafkaMockCluster(brokers: brokers)
        self.brokerCount = brokers
        self.bootstrapServers = cluster.bootstrapServers
    }

    /// Creates a topic; creating one that exists is a no-op.
    ///
    /// - Parameters:
    ///   - name: the topic's name.
    ///   - partitions: how many partitions it gets.
    ///   - replicationFactor: how many brokers keep each partition (at most the number of brokers).
    /// - Throws: `KafkaError` of kind `KafkaError.Kind.mockCluster` when the cluster refuses the topic.
    public func createTopic(_ name: String, partitions: Int = 1, replicationFactor: Int = 1) throws(KafkaError) {
        if let code = cluster.createTopic(name, partitions: partitions, replicationFactor: min(replicationFactor, brokerCount)) {
            throw KafkaError(kind: .mockCluster, code: code, message: "creating topic \(name) failed")
        }
    }

    /// Takes a broker down: its connections close and new ones are refused until ``setBrokerUp(_:)``.
    ///
    /// - Parameter brokerID: the broker, from 1 to the number of brokers.
    public func setBrokerDown(_ brokerID: Int32) {
        cluster.setBroker(brokerID, up: false)
    }

    /// Brings a broker back up.
    ///
    /// - Parameter brokerID: the broker, from 1 to the number of brokers.
    public func setBrokerUp(_ brokerID: Int32) {
        cluster.setBroker(brokerID, up: true)
    }

    /// Takes every broker down.
    public func setAllBrokersDown() {
        for id in 1...Int32(brokerCount) { setBrokerDown(id) }
    }

    /// Brings every broker back up.
    public func setAllBrokersUp() {
        for id in 1...Int32(brokerCount) { setBrokerUp(id) }
    }

    /// Makes the next requests of `request` fail, one error code each, in order (on whichever broker receives them).
    ///
    /// - Parameters:
    ///   - request: the kind of request to fail.
    ///   - errors: one error code per request to fail, in order.
    public func pushRequestErrors(_ request: Request, _ errors: [KafkaErrorCode]) {
        cluster.pushRequestErrors(apiKey: request.rawValue, errors)
    }

    /// Forgets errors pushed for `request` that were not used yet.
    ///
    /// - Parameter request: the kind of request.
    public func clearRequestErrors(_ request: Request) {
        cluster.clearRequestErrors(apiKey: request.rawValue)
    }

    /// Moves a partition's leadership to `brokerID` (clients learn it through NOT_LEADER errors and metadata).
    ///
    /// - Parameters:
    ///   - topic: the topic.
    ///   - partition: the partition number.
    ///   - brokerID: the new leader.
    public func setPartitionLeader(topic: String, partition: Int32, brokerID: Int32) {
        cluster.setPartitionLeader(topic: topic, partition: partition, brokerID: brokerID)
    }

    /// Delays every response of a broker by `roundTripTime`.
    ///
    /// - Parameters:
    ///   - brokerID: the broker to slow down.
    ///   - roundTripTime: the delay added to each of its responses; zero removes it.
    public func setBrokerRoundTripTime(_ brokerID: Int32, _ roundTripTime: Duration) {
        cluster.setBrokerRoundTripTime(brokerID, milliseconds: Int32(clamping: roundTripTime.milliseconds))
    }

    /// Makes every request concerning `topic` fail with `error` until set back to `KafkaErrorCode.noError`.
    ///
    /// - Parameters:
    ///   - topic: the topic.
    ///   - error: the error every request about it gets; `KafkaErrorCode.noError` clears it.
    public func setTopicError(_ topic: String, _ error: KafkaErrorCode) {
        cluster.setTopicError(topic, error)
    }
}
