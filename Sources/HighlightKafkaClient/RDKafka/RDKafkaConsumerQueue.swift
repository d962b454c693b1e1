import CRDKafka

/// The consumer's queue of fetched messages and events, read in batches by the poll thread (and only by it).
final class RDKafkaConsumerQueue {
    /// What one read found besides messages.
    enum Event {
        case partitionEOF(KafkaTopicPartitionOffset)
        case error(KafkaError)
    }

    private let client: RDKafkaClient
    private let queue: OpaquePointer
    private var slots: [UnsafeMutablePointer<rd_kafka_message_t>?]
    private var topicNames = RDKafkaTopicNames()

    /// - Parameter batchSize: the most messages one ``take(upTo:from:timeoutMilliseconds:stamp:message:event:)`` reads.
    init(client: RDKafkaClient, batchSize: Int) {
        self.client = client
        self.queue = rd_kafka_queue_get_consumer(client.handle)
        self.slots = Array(repeating: nil, count: max(1, batchSize))
    }

    deinit {
        rd_kafka_queue_destroy(queue)
    }

    /// The most messages one read takes.
    var batchSize: Int { slots.count }

    /// How many messages and events are waiting in librdkafka's queue.
    var length: Int { rd_kafka_queue_length(queue) }

    /// Blocking. Reads up to `count` messages (at most ``batchSize``), waiting at most `timeoutMilliseconds` for them
    /// all (rebalances and other callbacks are served inside). Each message is copied out and handed to `message`
    /// with its payload size; partition EOFs and failed messages go to `event`. `stamp` is read once, after the wait
    /// and before the first copy.
    ///
    /// - Returns: how many entries were read, or `nil` when the read itself failed (reported through `event`).
    func take(
        upTo count: Int,
        timeoutMilliseconds: Int32,
        stamp: () -> UInt64,
        message: (KafkaConsumerMessage, _ payloadBytes: Int) -> Void,
        event: (Event) -> Void
    ) -> Int? {
        let wanted = min(count, slots.count)
        let taken = slots.withUnsafeMutableBufferPointer { rd_kafka_consume_batch_queue(queue, timeoutMilliseconds, $0.baseAddress, wanted) }
        if taken < 0 {
            event(.error(KafkaError(kind: .consumer, code: .state, message: "consume failed (\(taken))")))
            return nil
        }
        let revocations = stamp()
        for index in 0..<taken {
            guard let entry = slots[index] else { continue }
            defer { rd_kafka_message_destroy(entry) }
            guard entry.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR else {
                message(KafkaConsumerMessage(copying: entry, revocationsBeforeFetch: revocations, topicNames: &topicNames), entry.pointee.len)
                continue
            }
            let topic = entry.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
            if entry.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                event(.partitionEOF(KafkaTopicPartitionOffset(topic: topic, partition: entry.pointee.partition, offset: entry.pointee.offset)))
            } else {
                var context = "consuming"
                if !topic.isEmpty { context += " \(topic)[\(entry.pointee.partition)]" }
                event(.error(KafkaError.from(entry.pointee.err, kind: .consumer, context: context)))
            }
        }
        return taken
    }
}
