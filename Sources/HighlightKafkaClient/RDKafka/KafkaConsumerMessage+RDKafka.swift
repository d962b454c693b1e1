import CRDKafka

extension KafkaConsumerMessage {
    /// Copies key, value, headers and position out of a message librdkafka handed over (which stays the caller's to
    /// destroy).
    init(
        copying message: UnsafeMutablePointer<rd_kafka_message_t>,
        revocationsBeforeFetch: UInt64,
        topicNames: inout RDKafkaTopicNames,
        headerNames: inout RDKafkaHeaderNames
    ) {
        let raw = message.pointee
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        self.init(
            topic: raw.rkt.map { topicNames.name(of: $0) } ?? "",
            partition: raw.partition,
            offset: raw.offset,
            key: raw.key.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.key_len)) },
            value: raw.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.len)) },
            headers: RDKafkaHeaders.read(message, names: &headerNames),
            timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
        )
        self.revocationsBeforeFetch = revocationsBeforeFetch
    }
}
