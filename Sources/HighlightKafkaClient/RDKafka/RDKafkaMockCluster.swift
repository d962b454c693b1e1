import CRDKafka

/// librdkafka's mock cluster and the client handle it lives in (`HighlightKafkaTesting`'s `KafkaMockCluster` is the
/// public face).
///
/// `@unchecked Sendable` is safe: both pointers are set once in `init` and destroyed once in `deinit`; the mock
/// calls made between are serialized by the mock cluster's own lock (they post operations to its thread).
package final class RDKafkaMockCluster: @unchecked Sendable {
    private let client: OpaquePointer
    private let cluster: OpaquePointer

    /// Starts a cluster of `brokers` brokers on loopback ports chosen by the system.
    package init(brokers: Int) throws(KafkaError) {
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

    /// `host:port,...` of every broker.
    package var bootstrapServers: String { String(cString: rd_kafka_mock_cluster_bootstraps(cluster)) }

    /// Creates a topic; `nil`, or the code of the refusal.
    package func createTopic(_ name: String, partitions: Int, replicationFactor: Int) -> KafkaErrorCode? {
        let result = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor))
        return result == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaErrorCode(result)
    }

    package func setBroker(_ brokerID: Int32, up: Bool) {
        _ = up ? rd_kafka_mock_broker_set_up(cluster, brokerID) : rd_kafka_mock_broker_set_down(cluster, brokerID)
    }

    /// Makes the next requests with protocol API key `apiKey` fail, one code each, in order.
    package func pushRequestErrors(apiKey: Int16, _ errors: [KafkaErrorCode]) {
        var codes = errors.map(\.rdKafka)
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, codes.count, &codes)
    }

    package func clearRequestErrors(apiKey: Int16) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey)
    }

    package func setPartitionLeader(topic: String, partition: Int32, brokerID: Int32) {
        _ = rd_kafka_mock_partition_set_leader(cluster, topic, partition, brokerID)
    }

    package func setBrokerRoundTripTime(_ brokerID: Int32, milliseconds: Int32) {
        _ = rd_kafka_mock_broker_set_rtt(cluster, brokerID, milliseconds)
    }

    package func setTopicError(_ topic: String, _ error: KafkaErrorCode) {
        rd_kafka_mock_topic_set_error(cluster, topic, error.rdKafka)
    }
}
