import CRDKafka
import Logging
import Synchronization

/// What librdkafka's consumer callbacks need, reached through the client's opaque pointer. They all run on the
/// consumer's poll thread (inside `rd_kafka_consume_batch_queue` or `rd_kafka_consumer_close`).
final class ConsumerCallbacks: Sendable {
    let events: AsyncStream<KafkaConsumerEvent>.Continuation
    let buffer: MessageBuffer<KafkaConsumerMessage>
    let logger: Logger
    /// Called on the poll thread at each rebalance (``KafkaConsumer/observeRebalances(_:)``).
    let rebalanceObserver = Mutex<(@Sendable (KafkaRebalance) -> Void)?>(nil)
    /// Revocations served so far. Written and read for stamping on the poll thread only; read elsewhere as a snapshot.
    let revocations = Atomic<UInt64>(0)
    /// How often the poll thread woke the brokers after draining librdkafka's queue (``FetchPauseWaker``).
    let fetchWakeUps = Atomic<Int>(0)

    init(events: AsyncStream<KafkaConsumerEvent>.Continuation, buffer: MessageBuffer<KafkaConsumerMessage>, logger: Logger) {
        self.events = events
        self.buffer = buffer
        self.logger = logger
    }

    func rebalance(_ handle: OpaquePointer, _ code: rd_kafka_resp_err_t, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        // NULL when the group has no protocol (yet, or any more: the consumer is leaving it).
        let protocolName: UnsafePointer<CChar>? = rd_kafka_rebalance_protocol(handle)
        let cooperative = protocolName.map { String(cString: $0) } == "COOPERATIVE"
        let topicPartitions = RDKafkaTopicPartitionList.read(partitions).map(\.position.topicPartition)
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if cooperative {
                if let error = rd_kafka_incremental_assign(handle, partitions) { report(KafkaError.consuming(error, kind: .consumer)) }
            } else {
                let result = rd_kafka_assign(handle, partitions)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR { report(KafkaError.from(result, kind: .consumer, context: "assign")) }
            }
            logger.debug("Partitions assigned", metadata: ["partitions": "\(topicPartitions)"])
            rebalanceObserver.withLock { $0 }?(.assigned(topicPartitions))
            events.yield(.partitionsAssigned(topicPartitions))
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            // Every message copied from now on is stamped as fetched after this revocation.
            revocations.add(1, ordering: .sequentiallyConsistent)
            // Messages of these partitions that were never handed out will be read by their new owner.
            let revoked = Set(topicPartitions)
            buffer.removeAll { revoked.contains($0.topicPartition) }
            // Let the layer above finish (or give back) what it holds of these partitions, so it gets committed now.
            rebalanceObserver.withLock { $0 }?(.revoked(topicPartitions))
            // Commit what was processed before the partitions go.
            let commit = rd_kafka_commit(handle, nil, 0)
            if commit != RD_KAFKA_RESP_ERR_NO_ERROR && commit != RD_KAFKA_RESP_ERR__NO_OFFSET {
                report(KafkaError.from(commit, kind: .commit, context: "commit before revocation"))
            }
            if cooperative {
                if let error = rd_kafka_incremental_unassign(handle, partitions) { report(KafkaError.consuming(error, kind: .consumer)) }
            } else {
                _ = rd_kafka_assign(handle, nil)
            }
            logger.debug("Partitions revoked", metadata: ["partitions": "\(topicPartitions)"])
            events.yield(.partitionsRevoked(topicPartitions))
        default:
            _ = rd_kafka_assign(handle, nil)
            report(KafkaError.from(code, kind: .consumer, context: "rebalance failed"))
        }
    }

    func committed(_ code: rd_kafka_resp_err_t, _ offsets: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let entries = offsets.map { RDKafkaTopicPartitionList.read($0) } ?? []
        if code == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
        if code == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS
            || entries.contains(where: { $0.error == .rebalanceInProgress })
        {
            rebalanceObserver.withLock { $0 }?(.commitRefusedDuringRebalance)
        }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            report(KafkaError.from(code, kind: .commit, context: "offset commit"))
            return
        }
        for entry in entries {
            if let failure = entry.error {
                report(KafkaError(kind: .commit, code: failure, message: "commit of \(entry.position) failed: \(failure.message)"))
            }
        }
        events.yield(.offsetsCommitted(entries.filter { $0.error == nil }.map(\.position)))
    }

    func error(_ handle: OpaquePointer?, code: Int32, reason: String) {
        var error = KafkaError(kind: .broker, code: KafkaErrorCode(rawValue: code), message: reason)
        if error.code == .fatal, let handle {
            var text = [CChar](repeating: 0, count: 512)
            let underlying = rd_kafka_fatal_error(handle, &text, text.count)
            error = KafkaError(kind: .broker, code: KafkaErrorCode(underlying), message: String(nulTerminated: text), isFatal: true)
        }
        report(error)
    }

    /// Errors are logged as well as yielded, so one nobody listens for is never silent.
    func report(_ error: KafkaError) {
        if error.isFatal {
            logger.error("Kafka consumer error", metadata: ["error": "\(error)"])
        } else {
            logger.warning("Kafka consumer error", metadata: ["error": "\(error)"])
        }
        events.yield(.error(error))
    }
}

/// The C entry points librdkafka calls; each finds the callbacks object through the opaque pointer.
enum ConsumerCallbackEntryPoints {
    static let rebalance:
        @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
            handle, code, partitions, opaque in
            guard let handle, let partitions, let opaque else { return }
            Unmanaged<ConsumerCallbacks>.fromOpaque(opaque).takeUnretainedValue().rebalance(handle, code, partitions)
        }

    static let offsetCommit:
        @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
            _, code, offsets, opaque in
            guard let opaque else { return }
            Unmanaged<ConsumerCallbacks>.fromOpaque(opaque).takeUnretainedValue().committed(code, offsets)
        }

    static let error: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        handle, code, reason, opaque in
        guard let opaque else { return }
        Unmanaged<ConsumerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
            .error(handle, code: code, reason: reason.map { String(cString: $0) } ?? "")
    }
}
