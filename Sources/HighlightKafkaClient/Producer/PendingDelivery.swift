import HighlightSynchronization
import Synchronization

/// One message between `produce` and its delivery report. librdkafka carries a retained pointer to it as the
/// message's opaque; the delivery callback takes that reference back exactly once.
final class PendingDelivery: Sendable {
    enum State {
        case pending
        case waiting(CheckedContinuation<Result<KafkaDeliveryReceipt, KafkaError>, Never>)
        case done(Result<KafkaDeliveryReceipt, KafkaError>)
    }

    let id: UInt64
    let topic: String
    /// Fire-and-forget messages report on the producer's stream instead of a waiting task.
    let forgotten: Bool
    /// Called with the outcome on the poll thread, before the report is put on the stream.
    let onDelivery: (@Sendable (Result<KafkaDeliveryReceipt, KafkaError>) -> Void)?
    /// Told of the outcome there too, after `onDelivery`.
    let observer: (any KafkaDeliveryObserver)?
    private let state = Locked<State>(.pending)

    init(
        id: UInt64,
        topic: String,
        forgotten: Bool,
        onDelivery: (@Sendable (Result<KafkaDeliveryReceipt, KafkaError>) -> Void)? = nil,
        observer: (any KafkaDeliveryObserver)? = nil
    ) {
        self.id = id
        self.topic = topic
        self.forgotten = forgotten
        self.onDelivery = onDelivery
        self.observer = observer
    }

    /// Records the outcome and wakes the waiting sender, if any.
    func complete(_ result: Result<KafkaDeliveryReceipt, KafkaError>) {
        let continuation = state.withLock { state -> CheckedContinuation<Result<KafkaDeliveryReceipt, KafkaError>, Never>? in
            defer { state = .done(result) }
            if case .waiting(let continuation) = state { return continuation }
            return nil
        }
        continuation?.resume(returning: result)
    }

    /// Waits for the outcome (returns at once when it already arrived).
    func outcome() async -> Result<KafkaDeliveryReceipt, KafkaError> {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Result<KafkaDeliveryReceipt, KafkaError>? in
                if case .done(let result) = state { return result }
                state = .waiting(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
