import HighlightKafkaClient
import HighlightSynchronization
import Synchronization

/// The per-partition queues of a ``TracedKafkaConsumer`` run, shared by the dispatcher and the rebalance observer.
final class PartitionQueues: Sendable {
    private let queues = Locked<[KafkaTopicPartition: AsyncBoundedQueue<KafkaConsumerMessage>]>([:])
    /// Shared by every queue: bounds the messages waiting in all of them together.
    let budget: QueueBudget

    init(budget: QueueBudget) {
        self.budget = budget
    }

    /// The queue of `partition`, created when missing (`created` tells the caller to start its worker).
    func queue(for partition: KafkaTopicPartition, capacity: Int) -> (queue: AsyncBoundedQueue<KafkaConsumerMessage>, created: Bool) {
        queues.withLock { queues in
            if let existing = queues[partition] { return (existing, false) }
            let queue = AsyncBoundedQueue<KafkaConsumerMessage>(capacity: capacity, budget: budget)
            queues[partition] = queue
            return (queue, true)
        }
    }

    /// The queue of `partition`, if it has one.
    func existing(_ partition: KafkaTopicPartition) -> AsyncBoundedQueue<KafkaConsumerMessage>? {
        queues.withLock { $0[partition] }
    }

    /// Every queue.
    var all: [AsyncBoundedQueue<KafkaConsumerMessage>] { queues.withLock { Array($0.values) } }
}
