import HighlightKafkaClient
import HighlightSynchronization
import Synchronization

/// Messages seen by several consumers, by value and by consumer.
final class SeenMessages: Sendable {
    struct Snapshot {
        var values: [String] = []
        var partitionsByConsumer: [String: [Int32]] = [:]
    }

    private let state = Locked(Snapshot())

    /// Records a message; returns true once `total` distinct values were seen.
    func add(_ message: KafkaConsumerMessage, by consumer: String, total: Int) -> Bool {
        state.withLock { state in
            state.values.append(message.valueString ?? "")
            state.partitionsByConsumer[consumer, default: []].append(message.partition)
            return Set(state.values).count >= total
        }
    }

    var snapshot: Snapshot { state.withLock { $0 } }
}

/// Runs `body`, failing with `TestTimeout` when it takes longer than `limit`.
func withTimeout<Result: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        let first = try await group.next()!
        group.cancelAll()
        guard let result = first else { throw TestTimeout(description: "did not finish within \(limit)") }
        return result
    }
}

/// An array several tasks append to, and a wait for it to grow.
final class LockedArray<Element: Sendable>: Sendable {
    private let storage = Locked<[Element]>([])
    private let waiters = ConditionWaiters()

    func append(_ element: Element) {
        storage.withLock { $0.append(element) }
        waiters.conditionsChanged()
    }

    var values: [Element] { storage.withLock { $0 } }

    /// Returns once `count` elements are in, or when the task is cancelled (bound it with a time limit).
    func waitFor(count: Int) async {
        await waiters.wait { self.storage.withLock { $0.count >= count } }
    }
}
