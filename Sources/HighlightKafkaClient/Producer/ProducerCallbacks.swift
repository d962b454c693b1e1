import CRDKafka
import Logging
import Synchronization

/// What librdkafka's producer callbacks need, reached through the client's opaque pointer. Lives as long as the
/// ``RDKafkaClient`` that holds it.
final class ProducerCallbacks: Sendable {
    /// `nil` when the configuration turned the report stream off.
    let reports: AsyncStream<KafkaDeliveryReport>.Continuation?
    let counters = ProducerCounters()
    let logger: Logger

    init(reports: AsyncStream<KafkaDeliveryReport>.Continuation?, logger: Logger) {
        self.reports = reports
        self.logger = logger
    }

    func delivered(_ message: UnsafePointer<rd_kafka_message_t>) {
        guard let opaque = message.pointee._private else {
            logger.error("A delivery report arrived without its message context; it cannot be matched to a send")
            return
        }
        let pending = Unmanaged<PendingDelivery>.fromOpaque(opaque).takeRetainedValue()
        let result: Result<KafkaDeliveryReceipt, KafkaError>
        if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
            let timestamp = rd_kafka_message_timestamp(message, &type)
            result = .success(
                KafkaDeliveryReceipt(
                    topic: pending.topic,
                    partition: message.pointee.partition,
                    offset: message.pointee.offset,
                    timestampMilliseconds: type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
                )
            )
            counters.delivered.add(1, ordering: .relaxed)
        } else {
            let error = KafkaError.from(message.pointee.err, kind: .delivery, context: "delivery to \(pending.topic) failed")
            result = .failure(error)
            counters.failed.add(1, ordering: .relaxed)
            logger.debug("Message not delivered", metadata: ["topic": "\(pending.topic)", "error": "\(error.code.name)"])
        }
        pending.onDelivery?(result)
        if pending.forgotten {
            if let reports, case .dropped = reports.yield(KafkaDeliveryReport(messageID: pending.id, topic: pending.topic, result: result)) {
                counters.reportsDropped.add(1, ordering: .relaxed)
            }
            if case .failure(let error) = result {
                logger.warning("A fire-and-forget message was not delivered", metadata: ["topic": "\(pending.topic)", "error": "\(error)"])
            }
        } else {
            pending.complete(result)
        }
    }

    func error(code: Int32, reason: String) {
        logger.warning("librdkafka producer error", metadata: ["code": "\(KafkaErrorCode(rawValue: code))", "reason": "\(reason)"])
    }
}

/// The C entry points librdkafka calls; each finds the callbacks object through the opaque pointer.
enum ProducerCallbackEntryPoints {
    static let delivery: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, opaque in
        guard let message, let opaque else { return }
        Unmanaged<ProducerCallbacks>.fromOpaque(opaque).takeUnretainedValue().delivered(message)
    }

    static let error: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        _, code, reason, opaque in
        guard let opaque else { return }
        Unmanaged<ProducerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
            .error(code: code, reason: reason.map { String(cString: $0) } ?? "")
    }
}
