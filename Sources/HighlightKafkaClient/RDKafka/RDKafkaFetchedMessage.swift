import CRDKafka
import Foundation

/// A message librdkafka handed to the consumer's poll thread, not yet copied into Swift values.
///
/// The copy is made by the task that takes the message from the buffer, so a message's copies are allocated and freed
/// on the same thread. When the poll thread made them and tasks freed them, every free went back to the poll
/// thread's malloc arena under its lock, and that contention was the plain consumer's largest cost after the
/// allocations themselves.
///
/// `@unchecked Sendable` is safe: the pointer has exactly one owner at a time (the poll thread, then the buffer, then
/// the task that took it), that owner is the only one to read it, and it ends its ownership with exactly one call to
/// ``copy(topicNames:)`` or ``discard()``. librdkafka allows a message to be read and destroyed on any thread; the
/// handle outlives every fetched message because the buffer discards what it still holds before the consumer closes,
/// and the sequences that take messages keep the client alive.
struct RDKafkaFetchedMessage: @unchecked Sendable {
    private let pointer: UnsafeMutablePointer<rd_kafka_message_t>
    /// Revocations the consumer had served when the message was fetched.
    let revocationsBeforeFetch: UInt64

    init(_ pointer: UnsafeMutablePointer<rd_kafka_message_t>, revocationsBeforeFetch: UInt64) {
        self.pointer = pointer
        self.revocationsBeforeFetch = revocationsBeforeFetch
    }

    /// The message's partition (read without copying the message).
    var topicPartition: KafkaTopicPartition {
        KafkaTopicPartition(topic: pointer.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "", partition: pointer.pointee.partition)
    }

    /// Copies key, value and headers into a ``KafkaConsumerMessage`` and destroys librdkafka's message.
    func copy(topicNames: inout RDKafkaTopicNames) -> KafkaConsumerMessage {
        defer { rd_kafka_message_destroy(pointer) }
        let raw = pointer.pointee
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(pointer, &timestampType)
        var message = KafkaConsumerMessage(
            topic: raw.rkt.map { topicNames.name(of: $0) } ?? "",
            partition: raw.partition,
            offset: raw.offset,
            key: raw.key.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.key_len)) },
            value: raw.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.len)) },
            headers: RDKafkaHeaders.read(pointer),
            timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
        )
        message.revocationsBeforeFetch = revocationsBeforeFetch
        return message
    }

    /// Destroys librdkafka's message without copying it (a message that is never handed out is read again later).
    func discard() {
        rd_kafka_message_destroy(pointer)
    }
}

/// The topic name of the last message copied, reused while messages keep coming from the same topic (a topic name
/// longer than 15 bytes is otherwise one allocation per message).
struct RDKafkaTopicNames {
    private var last = ""

    init() {}

    /// The name of `topic`; the cached `String` when it is the same text.
    mutating func name(of topic: OpaquePointer) -> String {
        let name = rd_kafka_topic_name(topic)!
        // Compared by text, not by handle: a destroyed topic handle's address may be reused for another topic.
        let same = last.withCString { strcmp($0, name) == 0 }
        if !same { last = String(cString: name) }
        return last
    }
}
