import CRDKafka

/// Creates topics on a real cluster (the mock cluster has its own ``createTopic`` in `HighlightKafkaTesting`).
///
/// ```swift
/// let admin = try KafkaTopicAdministrator(bootstrapServers: ["localhost:9092"])
/// try await admin.createTopic("orders", partitions: 8, replicationFactor: 3)
/// ```
public final class KafkaTopicAdministrator: Sendable {
    private let client: RDKafkaClient

    /// Connects to a cluster; `additionalProperties` carries TLS or SASL settings.
    public init(bootstrapServers: [String], additionalProperties: [String: String] = [:]) throws(KafkaError) {
        let properties = [("bootstrap.servers", bootstrapServers.joined(separator: ","))]
            + additionalProperties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let conf = try RDKafkaConfiguration.make(properties)
        client = try RDKafkaClient(type: RD_KAFKA_PRODUCER, conf: conf)
    }

    /// Creates a topic and waits until the cluster confirms; a topic that already exists is not an error.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1, timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let client = self.client
        let milliseconds = Int32(clamping: timeout.milliseconds)
        let outcome: Result<Void, KafkaError> = await runBlocking {
            var text = [CChar](repeating: 0, count: 512)
            guard let topic = rd_kafka_NewTopic_new(name, Int32(partitions), Int32(replicationFactor), &text, text.count) else {
                return .failure(KafkaError(kind: .administration, code: .invalidArgument, message: "invalid topic \(name): \(String(nulTerminated: text))"))
            }
            defer { rd_kafka_NewTopic_destroy(topic) }
            let queue = rd_kafka_queue_new(client.handle)
            defer { rd_kafka_queue_destroy(queue) }
            let options = rd_kafka_AdminOptions_new(client.handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
            defer { rd_kafka_AdminOptions_destroy(options) }
            _ = rd_kafka_AdminOptions_set_operation_timeout(options, milliseconds, &text, text.count)
            var topics: [OpaquePointer?] = [topic]
            rd_kafka_CreateTopics(client.handle, &topics, 1, options, queue)
            guard let event = rd_kafka_queue_poll(queue, milliseconds) else {
                return .failure(KafkaError(kind: .administration, code: .timedOut, message: "no answer to CreateTopics(\(name)) within the timeout"))
            }
            defer { rd_kafka_event_destroy(event) }
            if rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR {
                return .failure(KafkaError.from(rd_kafka_event_error(event), kind: .administration, context: "CreateTopics(\(name))"))
            }
            var count = 0
            guard let result = rd_kafka_event_CreateTopics_result(event),
                let results = rd_kafka_CreateTopics_result_topics(result, &count), count > 0, let first = results[0]
            else {
                return .failure(KafkaError(kind: .administration, code: .state, message: "CreateTopics(\(name)) returned no result"))
            }
            let code = rd_kafka_topic_result_error(first)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS else {
                return .failure(KafkaError.from(code, kind: .administration, context: "CreateTopics(\(name))"))
            }
            return .success(())
        }
        try outcome.get()
    }

    /// The partition numbers of `topic`.
    public func partitions(of topic: String, timeout: Duration = .seconds(10)) async throws(KafkaError) -> [Int32] {
        let client = self.client
        let milliseconds = Int32(clamping: timeout.milliseconds)
        let outcome: Result<[Int32], KafkaError> = await runBlocking {
            guard let topicHandle = rd_kafka_topic_new(client.handle, topic, nil) else {
                return .failure(KafkaError(kind: .administration, code: .invalidArgument, message: "invalid topic name \(topic)"))
            }
            defer { rd_kafka_topic_destroy(topicHandle) }
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let result = rd_kafka_metadata(client.handle, 0, topicHandle, &metadata, milliseconds)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                return .failure(KafkaError.from(result, kind: .administration, context: "metadata of \(topic)"))
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            guard metadata.pointee.topic_cnt > 0 else {
                return .failure(KafkaError(kind: .administration, code: .unknownTopicOrPartition, message: "topic \(topic) not found"))
            }
            let entry = metadata.pointee.topics[0]
            if entry.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                return .failure(KafkaError.from(entry.err, kind: .administration, context: "topic \(topic)"))
            }
            return .success((0..<Int(entry.partition_cnt)).map { entry.partitions[$0].id }.sorted())
        }
        return try outcome.get()
    }

    /// The oldest offset still kept and the offset the next message will get, for one partition.
    public func watermarks(topic: String, partition: Int32, timeout: Duration = .seconds(10)) async throws(KafkaError) -> (low: Int64, high: Int64) {
        let client = self.client
        let milliseconds = Int32(clamping: timeout.milliseconds)
        let outcome: Result<(low: Int64, high: Int64), KafkaError> = await runBlocking {
            var low: Int64 = 0
            var high: Int64 = 0
            let result = rd_kafka_query_watermark_offsets(client.handle, topic, partition, &low, &high, milliseconds)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return .failure(KafkaError.from(result, kind: .administration, context: "watermarks of \(topic)[\(partition)]"))
            }
            return .success((low, high))
        }
        return try outcome.get()
    }
}
