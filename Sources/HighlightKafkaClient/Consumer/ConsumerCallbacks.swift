import Logging
import Synchronization
import HighlightSynchronization

/// What librdkafka's consumer callbacks need, reached through the client's opaque pointer. They all run on the
/// consumer's poll thread, while it reads a batch or closes the consumer.
final class ConsumerCallbacks: Sendable {
    let events: AsyncStream<KafkaConsumerEvent>.Continuation
    let buffer: MessageBuffer<KafkaConsumerMessage>
    let logger: Logger
    /// Called on the poll thread at each rebalance (``KafkaConsumer/observeRebalances(_:)``).
    let rebalanceObserver = Locked<(@Sendable (KafkaRebalance) -> Void)?>(nil)
    /// Revocations served so far. Written and read for stamping on the poll thread only; read elsewhere as a snapshot.
    let revocations = Atomic<UInt64>(0)
    /// How often the poll thread woke the brokers after draining librdkafka's queue (``FetchPauseWaker``).
    let fetchWakeUps = Atomic<Int>(0)

    init(events: AsyncStream<KafkaConsumerEvent>.Continuation, buffer: MessageBuffer<KafkaConsumerMessage>, logger: Logger) {
        self.events = events
        self.buffer = buffer
        self.logger = logger
    }

    func rebalance(_ rebalance: RDKafkaRebalance) {
        let topicPartitions = rebalance.partitions
        switch rebalance.change {
        case .assign:
            if let error = rebalance.assign() { report(error) }
            logger.debug("Partitions assigned", metadata: ["partitions": "\(topicPartitions)"])
            rebalanceObserver.withLock { $0 }?(.assigned(topicPartitions))
            events.yield(.partitionsAssigned(topicPartitions))
        case .revoke:
            // Every message copied from now on is stamped as fetched after this revocation.
            revocations.add(1, ordering: .sequentiallyConsistent)
            // Messages of these partitions that were never handed out will be read by their new owner.
            let revoked = Set(topicPartitions)
            buffer.removeAll { revoked.contains($0.topicPartition) }
            // Let the layer above finish (or give back) what it holds of these partitions, so it gets committed now.
            rebalanceObserver.withLock { $0 }?(.revoked(topicPartitions))
            // Commit what was processed before the partitions go.
            if let error = rebalance.commitStoredOffsets() { report(error) }
            if let error = rebalance.unassign() { report(error) }
            logger.debug("Partitions revoked", metadata: ["partitions": "\(topicPartitions)"])
            events.yield(.partitionsRevoked(topicPartitions))
        case .failed(let error):
            rebalance.dropAssignment()
            report(error)
        }
    }

    func committed(_ code: KafkaErrorCode, _ entries: [(position: KafkaTopicPartitionOffset, error: KafkaErrorCode?)]) {
        if code == .noOffset { return }
        if code == .rebalanceInProgress || entries.contains(where: { $0.error == .rebalanceInProgress }) {
            rebalanceObserver.withLock { $0 }?(.commitRefusedDuringRebalance)
        }
        if code != .noError {
            report(KafkaError(kind: .commit, code: code, message: "offset commit: \(code.message)"))
            return
        }
        for entry in entries {
            if let failure = entry.error {
                report(KafkaError(kind: .commit, code: failure, message: "commit of \(entry.position) failed: \(failure.message)"))
            }
        }
        events.yield(.offsetsCommitted(entries.filter { $0.error == nil }.map(\.position)))
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
