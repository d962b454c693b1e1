/// The decisions of one delivery (a message, or a batch of one partition's messages) from its first attempt until its
/// offsets may be stored, or the consumer must stop, or the run was cancelled.
///
/// Pure: it performs nothing and reads no clock. ``TracedKafkaConsumer`` performs each action it returns and reports
/// back what happened, so every decision of the error policy is unit-tested without a broker or a handler. (Which
/// messages may start at all, around a rebalance, is the ``PartitionGate``'s decision.)
///
/// ```
/// start ─▶ runHandler(1) ─┬─ succeeded ──────────────────────────────▶ storeOffsets(.handled)
///                         └─ failed ─┬─ retry ─▶ waitBeforeRetry ─┬─ waited ──▶ runHandler(n + 1)
///                                    │                           └─ cancelled ─▶ abandon
///                                    ├─ skip ──────────────────────────────────▶ storeOffsets(.skipped)
///                                    ├─ dead-letter ─▶ sendToDeadLetters ─┬─ sent ─▶ storeOffsets(.deadLettered)
///                                    │                                   ├─ failed ─▶ stopConsumer
///                                    │                                   └─ cancelled ─▶ abandon
///                                    └─ stop ──────────────────────────────────▶ stopConsumer
/// ```
struct DeliveryStateMachine: Sendable {
    enum Action: Equatable, Sendable {
        /// Run the handler: attempt number `attempt` (1-based).
        case runHandler(attempt: Int)
        /// Wait this long, then report ``retryWaitEnded(cancelled:)``.
        case waitBeforeRetry(Duration)
        /// Send every message of the delivery to the dead-letter `topic`, then report ``deadLettersSent()`` or
        /// ``deadLettersFailed(cancelled:)``.
        case sendToDeadLetters(topic: String)
        /// Done: store the offsets, so that the next commit carries them.
        case storeOffsets(Completion)
        /// Store nothing and stop the consumer: the error policy says so, after `attempts` attempts.
        case stopConsumer(attempts: Int)
        /// Store nothing and start nothing more: the run was cancelled. The messages are read again.
        case abandon
    }

    /// How a delivery that may be committed ended.
    enum Completion: Equatable, Sendable {
        case handled
        case skipped
        case deadLettered
    }

    private enum State: Equatable {
        case idle
        case running(attempt: Int)
        case waiting(afterAttempt: Int)
        case deadLettering(afterAttempt: Int)
        case finished
    }

    private let policy: KafkaErrorPolicy
    private var state = State.idle
    /// What the error policy decided at the last failed attempt (recorded on that attempt's span).
    private(set) var lastDecision: Decision?

    init(policy: KafkaErrorPolicy) {
        self.policy = policy
    }

    /// The attempt running or last run (0 before the first).
    var attempt: Int {
        switch state {
        case .idle: 0
        case .running(let attempt), .waiting(let attempt), .deadLettering(let attempt): attempt
        case .finished: 0
        }
    }

    /// Whether an action that ends the delivery (store, stop, abandon) has been returned.
    var isFinished: Bool { state == .finished }

    mutating func start() -> Action {
        precondition(state == .idle, "a delivery starts once")
        state = .running(attempt: 1)
        return .runHandler(attempt: 1)
    }

    mutating func handlerSucceeded() -> Action {
        guard case .running = state else { preconditionFailure("no handler is running (\(state))") }
        state = .finished
        return .storeOffsets(.handled)
    }

    /// The attempt failed (it threw, or timed out). The error policy decides what follows.
    mutating func handlerFailed() -> Action {
        guard case .running(let attempt) = state else { preconditionFailure("no handler is running (\(state))") }
        let decision = Self.decide(policy, failedAttempt: attempt)
        lastDecision = decision
        switch decision {
        case .retry(let delay):
            state = .waiting(afterAttempt: attempt)
            return .waitBeforeRetry(delay)
        case .skip:
            state = .finished
            return .storeOffsets(.skipped)
        case .deadLetter(let topic):
            state = .deadLettering(afterAttempt: attempt)
            return .sendToDeadLetters(topic: topic)
        case .stop:
            state = .finished
            return .stopConsumer(attempts: attempt)
        }
    }

    /// The retry's wait is over; when it ended by cancellation no attempt may start.
    mutating func retryWaitEnded(cancelled: Bool) -> Action {
        guard case .waiting(let attempt) = state else { preconditionFailure("no retry is waiting (\(state))") }
        if cancelled {
            state = .finished
            return .abandon
        }
        state = .running(attempt: attempt + 1)
        return .runHandler(attempt: attempt + 1)
    }

    mutating func deadLettersSent() -> Action {
        guard case .deadLettering = state else { preconditionFailure("nothing is being dead-lettered (\(state))") }
        state = .finished
        return .storeOffsets(.deadLettered)
    }

    /// A dead-letter send failed: the messages are neither handled nor parked, so they must not be committed. The
    /// consumer stops, unless the send failed because the run was cancelled (then they are simply read again).
    mutating func deadLettersFailed(cancelled: Bool) -> Action {
        guard case .deadLettering(let attempt) = state else { preconditionFailure("nothing is being dead-lettered (\(state))") }
        state = .finished
        return cancelled ? .abandon : .stopConsumer(attempts: attempt)
    }

    /// The run was cancelled between two steps (a handler had failed in a task that is now cancelled).
    mutating func cancelled() -> Action {
        precondition(state != .finished, "the delivery has ended")
        state = .finished
        return .abandon
    }

    /// What the error policy decides after a failed attempt.
    enum Decision: Equatable {
        case retry(after: Duration)
        case skip
        case deadLetter(topic: String)
        case stop
    }

    /// Resolves `policy` for the `attempt`-th failure (1-based), walking nested `then` policies.
    static func decide(_ policy: KafkaErrorPolicy, failedAttempt attempt: Int) -> Decision {
        switch policy {
        case .stop: .stop
        case .skip: .skip
        case .deadLetter(let topic): .deadLetter(topic: topic)
        case .retry(let attempts, let backoff, let then):
            attempt < attempts ? .retry(after: backoff.delay(afterAttempt: attempt)) : decide(then, failedAttempt: attempt - max(attempts, 1) + 1)
        }
    }
}
