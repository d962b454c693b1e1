import Logging
import Synchronization

/// What librdkafka's producer callbacks need, reached through the client's opaque pointer. Lives as long as the
/// ``RDKafkaClient`` that holds it.
final class ProducerCallbacks: Sendable {
    /// `nil` when the configuration turned the report stream off.
    let reports: AsyncStream<KafkaDeliveryReport>.Continuation?
    let counters = ProducerCounters()
    /// Who serves the reports, and the wake-up librdkafka gives when they arrive.
    let serving = DeliveryReportServing()
    let logger: Logger

    /// What a delivery report says.
    enum DeliveryOutcome {
        case delivered(partition: Int32, offset: Int64, timestampMilliseconds: Int64?)
        case failed(KafkaErrorCode)
    }

    init(reports: AsyncStream<KafkaDeliveryReport>.Continuation?, logger: Logger) {
        self.reports = reports
        self.logger = logger
    }

    /// A delivery report: `pending` is the context the message was queued with (`nil` when librdkafka handed none back),
    /// `outcome` where it landed or why it failed.
    func delivered(_ pending: PendingDelivery?, _ outcome: DeliveryOutcome) {
        guard let pending else {
            logger.error("A delivery report arrived without its message context; it cannot be matched to a send")
            return
        }
        let result: Result<KafkaDeliveryReceipt, KafkaError>
        switch outcome {
        case .delivered(let partition, let offset, let timestamp):
            result = .success(KafkaDeliveryReceipt(topic: pending.topic, partition: partition, offset: offset, timestampMilliseconds: timestamp))
            counters.delivered.add(1, ordering: .relaxed)
        case .failed(let code):
            let error = KafkaError(kind: .delivery, code: code, message: "delivery to \(pending.topic) failed: \(code.message)")
            result = .failure(error)
            counters.failed.add(1, ordering: .relaxed)
            logger.debug("Message not delivered", metadata: ["topic": "\(pending.topic)", "error": "\(error.code.name)"])
        }
        pending.onDelivery?(result)
        pending.observer?.delivered(result)
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
