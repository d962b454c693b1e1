import CRDKafka

/// The administrator's calls into librdkafka; all blocking.
extension RDKafkaClient {
    /// A client for administration (a producer that never produces).
    static func administrator(properties: [(String, String)]) throws(KafkaError) -> RDKafkaClient {
        try RDKafkaClient(type: RD_KAFKA_PRODUCER, conf: RDKafkaConfiguration.make(properties))
    }

    /// Creates a topic and waits until the cluster confirms; a topic that already exists is not an error.
    func createTopic(_ name: String, partitions: Int, replicationFactor: Int, timeoutMilliseconds milliseconds: Int32) throws(KafkaError) {
        var text = [CChar](repeating: 0, count: 512)
        guard let topic = rd_kafka_NewTopic_new(name, Int32(partitions), Int32(replicationFactor), &text, text.count) else {
            throw KafkaError(kind: .administration, code: .invalidArgument, message: "invalid topic \(name): \(String(nulTerminated: text))")
        }
        defer { rd_kafka_NewTopic_destroy(topic) }
        let queue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, milliseconds, &text, text.count)
        var topics: [OpaquePointer?] = [topic]
        rd_kafka_CreateTopics(handle, &topics, 1, options, queue)
        guard let event = rd_kafka_queue_poll(queue, milliseconds) else {
            throw KafkaError(kind: .administration, code: .timedOut, message: "no answer to CreateTopics(\(name)) within the timeout")
        }
        defer { rd_kafka_event_destroy(event) }
        if rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError.from(rd_kafka_event_error(event), kind: .administration, context: "CreateTopics(\(name))")
        }
        var count = 0
        guard let result = rd_kafka_event_CreateTopics_result(event),
            let results = rd_kafka_CreateTopics_result_topics(result, &count), count > 0, let first = results[0]
        else {
            throw KafkaError(kind: .administration, code: .state, message: "CreateTopics(\(name)) returned no result")
        }
        let code = rd_kafka_topic_result_error(first)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS else {
            throw KafkaError.from(code, kind: .administration, context: "CreateTopics(\(name))")
        }
    }

    /// The partition numbers of `topic`.
    ///
    /// Asks for the metadata of every topic and looks for this one: a request naming the topic makes a broker that
    /// auto-creates topics (the mock cluster does, whatever the client's `allow.auto.create.topics`) create it, and
    /// a lookup of a misspelt name must not leave a topic behind.
    func partitions(of topic: String, timeoutMilliseconds milliseconds: Int32) throws(KafkaError) -> [Int32] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let result = rd_kafka_metadata(handle, 1, nil, &metadata, milliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError.from(result, kind: .administration, context: "metadata of \(topic)")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        guard let entry = topics.first(where: { $0.topic.map { String(cString: $0) } == topic }) else {
            throw KafkaError(kind: .administration, code: .unknownTopicOrPartition, message: "topic \(topic) not found")
        }
        if entry.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError.from(entry.err, kind: .administration, context: "topic \(topic)")
        }
        return (0..<Int(entry.partition_cnt)).map { entry.partitions[$0].id }.sorted()
    }

    /// The oldest offset still kept and the offset the next message will get, for one partition.
    func watermarks(topic: String, partition: Int32, timeoutMilliseconds milliseconds: Int32) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let result = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, milliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.from(result, kind: .administration, context: "watermarks of \(topic)[\(partition)]")
        }
        return (low, high)
    }
}
