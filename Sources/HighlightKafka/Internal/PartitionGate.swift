import Foundation
import HighlightKafkaClient
import Synchronization

/// Decides which messages a ``TracedKafkaConsumer`` worker may still start, so that a rebalance hands partitions over
/// without handling their messages twice.
///
/// - A revoked partition's messages are not started (their next owner reads them from the committed offset), and the
///   revocation waits for the handlers already running on it, so their offsets are in the commit made before the
///   partitions go.
/// - A message this consumer already handled is not started again when it is delivered a second time (the fetch
///   after a reassignment restarts at the committed offset, which may be behind what was handled).
final class PartitionGate: Sendable {
    private struct State {
        var revoked: Set<KafkaTopicPartition> = []
        var running: [KafkaTopicPartition: Int] = [:]
        var nextOffset: [KafkaTopicPartition: Int64] = [:]
    }

    /// Why a message was not started.
    enum Refusal {
        /// Its partition was revoked.
        case revoked
        /// This consumer handled it already.
        case alreadyHandled
    }

    private let state = Mutex(State())

    /// Marks `message` as running, or says why it must not start.
    func begin(_ message: KafkaConsumerMessage) -> Refusal? {
        state.withLock { state in
            let partition = message.topicPartition
            if state.revoked.contains(partition) { return .revoked }
            if let next = state.nextOffset[partition], message.offset < next { return .alreadyHandled }
            state.running[partition, default: 0] += 1
            return nil
        }
    }

    /// Marks `message` as no longer running; `stored` when its offset was stored (handled, skipped or dead-lettered).
    func end(_ message: KafkaConsumerMessage, stored: Bool) {
        state.withLock { state in
            let partition = message.topicPartition
            state.running[partition, default: 1] -= 1
            if stored { state.nextOffset[partition] = max(state.nextOffset[partition] ?? 0, message.offset + 1) }
        }
    }

    /// The partitions are this consumer's again.
    func assign(_ partitions: [KafkaTopicPartition]) {
        state.withLock { $0.revoked.subtract(partitions) }
    }

    /// Stops new messages of `partitions` from starting.
    func revoke(_ partitions: [KafkaTopicPartition]) {
        state.withLock { $0.revoked.formUnion(partitions) }
    }

    /// Waits, at most `timeout`, for the running handlers of `partitions` to finish. Runs on the consumer's poll
    /// thread (inside the rebalance), never on the cooperative pool.
    /// - Returns: whether they all finished in time.
    func waitUntilIdle(_ partitions: [KafkaTopicPartition], atMost timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ state in partitions.contains { state.running[$0, default: 0] > 0 } }) {
            if ContinuousClock.now >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.001)
        }
        return true
    }
}
