import CRDKafka

/// Conversions to and from `rd_kafka_topic_partition_list_t`.
enum RDKafkaTopicPartitionList {
    /// A new list; the caller destroys it with `rd_kafka_topic_partition_list_destroy`.
    static func make(_ positions: [KafkaTopicPartitionOffset]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(positions.count))!
        for position in positions {
            let element = rd_kafka_topic_partition_list_add(list, position.topicPartition.topic, position.topicPartition.partition)!
            element.pointee.offset = position.offset
        }
        return list
    }

    /// A new list of topics for `rd_kafka_subscribe`.
    static func make(topics: [String]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(topics.count))!
        for topic in topics { rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA) }
        return list
    }

    /// The entries of a list, with each entry's error when it has one.
    static func read(
        _ list: UnsafePointer<rd_kafka_topic_partition_list_t>
    ) -> [(position: KafkaTopicPartitionOffset, error: KafkaErrorCode?)] {
        (0..<Int(list.pointee.cnt)).map { index in
            let element = list.pointee.elems[index]
            let position = KafkaTopicPartitionOffset(
                topic: String(cString: element.topic),
                partition: element.partition,
                offset: element.offset
            )
            return (position, element.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaErrorCode(element.err))
        }
    }

    /// Runs `body` with a temporary list, destroying it afterwards.
    static func with<Result>(
        _ positions: [KafkaTopicPartitionOffset],
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws(KafkaError) -> Result
    ) throws(KafkaError) -> Result {
        let list = make(positions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return try body(list)
    }
}
