import CRDKafka

/// The C entry points librdkafka calls for a producer; each finds its ``ProducerCallbacks`` through the opaque
/// pointer and hands it plain Swift values.
enum ProducerCallbackEntryPoints {
    static let delivery: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, opaque in
        guard let message, let opaque else { return }
        let callbacks = Unmanaged<ProducerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
        let delivered = message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR
        // The message's own opaque is the retained context its send queued: taken back exactly once, here.
        switch message.pointee._private.map(DeliveryContext.takeRetained) {
        case .observer(let object):
            // An observer is told the partition and offset only: no timestamp read, no topic unless it failed.
            callbacks.observed(object, outcome(of: message, delivered: delivered, readingTimestamp: false)) { topicName(of: message) }
        case .bare:
            callbacks.counted(outcome(of: message, delivered: delivered, readingTimestamp: false)) { topicName(of: message) }
        case .pending(let pending):
            callbacks.delivered(pending, outcome(of: message, delivered: delivered, readingTimestamp: true))
        case nil:
            callbacks.delivered(nil, outcome(of: message, delivered: delivered, readingTimestamp: true))
        }
    }

    private static func topicName(of message: UnsafePointer<rd_kafka_message_t>) -> String {
        String(cString: rd_kafka_topic_name(message.pointee.rkt))
    }

    /// What the report says; the timestamp is read only when someone is given it (a receipt).
    private static func outcome(
        of message: UnsafePointer<rd_kafka_message_t>,
        delivered: Bool,
        readingTimestamp: Bool
    ) -> ProducerCallbacks.DeliveryOutcome {
        guard delivered else { return .failed(KafkaErrorCode(message.pointee.err)) }
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = readingTimestamp ? rd_kafka_message_timestamp(message, &type) : 0
        return .delivered(
            partition: message.pointee.partition,
            offset: message.pointee.offset,
            timestampMilliseconds: type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
        )
    }

    static let error: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        _, code, reason, opaque in
        guard let opaque else { return }
        Unmanaged<ProducerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
            .error(code: code, reason: reason.map { String(cString: $0) } ?? "")
    }

    /// librdkafka's report queue stopped being empty (called from its own threads, under its queue lock).
    static let reportsArrived: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void = { _, opaque in
        guard let opaque else { return }
        Unmanaged<DeliveryReportServing>.fromOpaque(opaque).takeUnretainedValue().reportsArrived()
    }
}
