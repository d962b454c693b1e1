import CRDKafka

/// The C entry points librdkafka calls for a producer; each finds its ``ProducerCallbacks`` through the opaque
/// pointer and hands it plain Swift values.
enum ProducerCallbackEntryPoints {
    static let delivery: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, opaque in
        guard let message, let opaque else { return }
        // The message's own opaque is the retained PendingDelivery its send queued: taken back exactly once, here.
        let pending = message.pointee._private.map { Unmanaged<PendingDelivery>.fromOpaque($0).takeRetainedValue() }
        let outcome: ProducerCallbacks.DeliveryOutcome
        if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
            let timestamp = rd_kafka_message_timestamp(message, &type)
            outcome = .delivered(
                partition: message.pointee.partition,
                offset: message.pointee.offset,
                timestampMilliseconds: type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
            )
        } else {
            outcome = .failed(KafkaErrorCode(message.pointee.err))
        }
        Unmanaged<ProducerCallbacks>.fromOpaque(opaque).takeUnretainedValue().delivered(pending, outcome)
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
