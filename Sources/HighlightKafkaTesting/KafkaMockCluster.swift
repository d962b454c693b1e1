import CRDKafka
public import HighlightKafkaClient
import Synchronization

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

    private let owner: MockClusterHandle

    /// Starts a cluster of `brokers` brokers on loopback ports chosen by the system.
    ///
    /// - Throws: ``KafkaError`` of kind ``KafkaError/Kind/mockCluster`` when librdkafka cannot start it.
    public init(brokers: Int = 1) throws(KafkaError) {
        guard brokers >= 1 else {
            throw KafkaError(kind: .invalidArgument, code: .invalidArgument, message: "a mock cluster needs at least one broker")
        }
        self.owner = try MockClusterHandle(brokers: brokers)
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(owner.cluster))
    }

    /// Creates a topic; creating one that exists is a no-op.
    public func createTopic(_ name: String, partitions: Int = 1, replicationFactor: Int = 1) throws(KafkaError) {
        let result = rd_kafka_mock_topic_create(owner.cluster, name, Int32(partitions), Int32(min(replicationFactor, brokerCount)))
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(kind: .mockCluster, code: KafkaErrorCode(rawValue: result.rawValue), message: "creating topic \(name) failed")
        }
    }

    /// Takes a broker down: its connections close and new ones are refused until ``setBrokerUp(_:)``.
    public func setBrokerDown(_ brokerID: Int32) {
        _ = rd_kafka_mock_broker_set_down(owner.cluster, brokerID)
    }

    /// Brings a broker back up.
    public func setBrokerUp(_ brokerID: Int32) {
        _ = rd_kafka_mock_broker_set_up(owner.cluster, brokerID)
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
    public func pushRequestErrors(_ request: Request, _ errors: [KafkaErrorCode]) {
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        rd_kafka_mock_push_request_errors_array(owner.cluster, request.rawValue, codes.count, &codes)
    }

    /// Forgets errors pushed for `request` that were not used yet.
    public func clearRequestErrors(_ request: Request) {
        rd_kafka_mock_clear_request_errors(owner.cluster, request.rawValue)
    }

    /// Moves a partition's leadership to `brokerID` (clients learn it through NOT_LEADER errors and metadata).
    public func setPartitionLeader(topic: String, partition: Int32, brokerID: Int32) {
        _ = rd_kafka_mock_partition_set_leader(owner.cluster, topic, partition, brokerID)
    }

    /// Delays every response of a broker by `roundTripTime`.
    public func setBrokerRoundTripTime(_ brokerID: Int32, _ roundTripTime: Duration) {
        _ = rd_kafka_mock_broker_set_rtt(owner.cluster, brokerID, Int32(clamping: roundTripTime.milliseconds))
    }

    /// Makes every request concerning `topic` fail with `error` until set back to ``KafkaErrorCode/noError``.
    public func setTopicError(_ topic: String, _ error: KafkaErrorCode) {
        rd_kafka_mock_topic_set_error(owner.cluster, topic, rd_kafka_resp_err_t(rawValue: error.rawValue))
    }
}

/// Owns the client handle a mock cluster lives in, and the cluster.
///
/// `@unchecked Sendable` is safe: both pointers are set once in `init` and destroyed once in `deinit`; the
/// `rd_kafka_mock_*` calls made between are serialized by the mock cluster's own lock (they post operations to its
/// thread).
private final class MockClusterHandle: @unchecked Sendable {
    let client: OpaquePointer
    let cluster: OpaquePointer

    init(brokers: Int) throws(KafkaError) {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(kind: .mockCluster, code: .fatal, message: "librdkafka could not allocate a configuration")
        }
        var text = [CChar](repeating: 0, count: 512)
        // The owning client never talks to anyone: keep it quiet.
        _ = rd_kafka_conf_set(conf, "log_level", "3", &text, text.count)
        guard let client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &text, text.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(kind: .mockCluster, code: .fatal, message: "could not create the mock cluster's client")
        }
        guard let cluster = rd_kafka_mock_cluster_new(client, Int32(brokers)) else {
            rd_kafka_destroy(client)
            throw KafkaError(kind: .mockCluster, code: .fatal, message: "librdkafka could not start a mock cluster of \(brokers) broker(s)")
        }
        self.client = client
        self.cluster = cluster
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(client)
    }
}
