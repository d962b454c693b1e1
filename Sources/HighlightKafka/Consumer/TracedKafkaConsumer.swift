public import HighlightKafkaClient
import HighlightPropagation
import Instrumentation
public import Logging
public import ServiceLifecycle
import Synchronization
import HighlightSynchronization
import Tracing

/// A `KafkaConsumer` that runs your handler inside the session and trace each message carries.
///
/// For each message it extracts the headers into a fresh context (a message with no or malformed headers just has
/// none), starts a CONSUMER span `process <topic>` that continues the producer's span (or links to it), and runs the
/// handler inside `ServiceContext.withValue(...)` with that span's context: `ServiceContext.current?.highlightRequest`
/// is the message's session, and tracer calls and loggers with a metadata provider see it.
///
/// ```swift
/// let consumer = try TracedKafkaConsumer(configuration: .init(
///     bootstrapServers: ["localhost:9092"], subscription: .group(id: "workers", topics: ["orders"])))
/// try await consumer.run { message in
///     logger.info("processing order")       // carries the session through the metadata provider
///     try await process(message.message)
/// }
/// ```
///
/// Delivery is at least once: a message's offset is committed only after its handler returned (or the error policy
/// skipped or dead-lettered it). Partitions are handled concurrently, each in order, so one slow or failing message
/// holds up only its own partition.
public final class TracedKafkaConsumer: Service, Sendable {
    /// The plain consumer underneath.
    public let consumer: KafkaConsumer
    /// How this consumer traces and handles failures.
    public let configuration: Configuration

    let counters = Counters()
    /// Bounds the messages waiting in all partition queues (``Configuration/totalQueueCapacity``).
    let queueBudget: QueueBudget
    let logger: Logger
    /// Worked out once: every span carries it.
    let serverHost: String?
    /// `process <topic>` and the messaging attributes every span on the topic shares, made once per topic.
    let spanCache: MessagingSpanCache
    let deadLetterProducer: Locked<KafkaProducer?>

    /// Wraps an existing consumer.
    ///
    /// - Parameters:
    ///   - consumer: the plain consumer; the wrapper takes over its messages (do not read `consumer.messages` too).
    ///   - configuration: spans, error policy and queue capacities.
    ///   - logger: where the wrapper logs failures and drops (never header values).
    public init(consumer: KafkaConsumer, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "highlight.kafka.consumer")) {
        self.consumer = consumer
        self.configuration = configuration
        self.queueBudget = QueueBudget(capacity: configuration.totalQueueCapacity)
        self.logger = logger
        self.serverHost = firstServerHost(consumer.configuration.bootstrapServers)
        self.spanCache = MessagingSpanCache(
            operation: "process", clientID: consumer.configuration.clientID, serverAddress: serverHost, consumerGroup: consumer.configuration.groupID
        )
        self.deadLetterProducer = Locked(configuration.deadLetterProducer)
    }

    /// Creates the plain consumer and wraps it.
    ///
    /// - Parameters:
    ///   - configuration: the plain consumer's brokers, subscription and settings.
    ///   - tracing: spans, error policy and queue capacities.
    ///   - logger: where the consumer and the wrapper log.
    /// - Throws: `KafkaError` when librdkafka refuses a property or the subscription.
    public convenience init(
        configuration: KafkaConsumerConfiguration,
        tracing: Configuration = Configuration(),
        logger: Logger = Logger(label: "highlight.kafka.consumer")
    ) throws(KafkaError) {
        self.init(consumer: try KafkaConsumer(configuration: configuration, logger: logger), configuration: tracing, logger: logger)
    }

    /// Counters of handled, failed, retried, skipped and dead-lettered messages.
    public var statistics: TracedKafkaConsumerStatistics { counters.snapshot(queuedMessages: queueBudget.used) }

    /// Handles messages until graceful shutdown, ``triggerShutdown()``, cancellation or a ``KafkaErrorPolicy/stop``;
    /// then commits what was handled and closes the consumer.
    ///
    /// Cancelling the task that runs this cancels the handlers in flight (a handler that ignores cancellation is
    /// waited for); what was handled before is committed, and what was not is read again.
    ///
    /// - Parameter handler: called for each message, inside the message's context; one partition's messages one at
    ///   a time, in order, different partitions concurrently.
    /// - Throws: ``KafkaHandlerError`` when the error policy stopped the consumer.
    public func run(_ handler: @escaping @Sendable (KafkaTracedMessage) async throws -> Void) async throws {
        try await runPipeline(.single(handler))
    }

    /// Handles messages in batches: up to `maximumSize` messages of one partition that are already fetched, in one
    /// `process` span that links to every message's context. Each ``KafkaTracedMessage`` carries its own context;
    /// run per-message work inside it with ``KafkaTracedMessage/withContext(_:)``. A batch's offsets are stored once
    /// its handler returned; the error policy applies to the batch as a whole (a dead-letter policy sends each of its
    /// messages). Partitions are handled concurrently, as in ``run(_:)``, which is this with batches of one.
    ///
    /// ```swift
    /// try await consumer.runBatches(maximumSize: 100) { batch in
    ///     for message in batch {
    ///         try await message.withContext { try await store(message.message) }
    ///     }
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - maximumSize: the most messages one call of `handler` gets.
    ///   - handler: called with each batch, inside the batch span's context.
    /// - Throws: ``KafkaHandlerError`` when the error policy stopped the consumer.
    public func runBatches(maximumSize: Int = 100, _ handler: @escaping @Sendable ([KafkaTracedMessage]) async throws -> Void) async throws {
        try await runPipeline(.batch(maximumSize: max(1, maximumSize), handler))
    }

    /// Stops fetching; ``run(_:)`` returns once the handlers in flight finish. Safe to call from a handler.
    public func triggerShutdown() {
        consumer.triggerShutdown()
    }

    /// Runs the plain consumer's lifecycle (see `KafkaConsumer.run()`); use ``run(_:)`` to handle messages.
    ///
    /// - Throws: nothing of its own (the `Service` requirement throws).
    public func run() async throws {
        try await consumer.run()
    }

    /// Whether a message may start (its partition is still ours and it was not handled already); what is turned away
    /// is counted. A method, not a closure made per delivery: that was an allocation per message.
    func admits(_ message: KafkaConsumerMessage, through gate: PartitionGate, slot: PartitionGate.Slot) -> Bool {
        switch gate.begin(message, in: slot) {
        case nil:
            return true
        case .revoked:
            counters.releasedOnRebalance.add(1, ordering: .relaxed)
            return false
        case .alreadyHandled:
            counters.redeliveriesSkipped.add(1, ordering: .relaxed)
            return false
        }
    }

    /// At a revocation: nothing more of those partitions starts, what waits is given back (their next owner reads it
    /// from the committed offset), and the handlers running finish so their offsets make the commit that follows.
    func observeRebalances(gate: PartitionGate, queues: PartitionQueues) {
        let counters = self.counters, logger = self.logger, wait = configuration.revocationWait
        // Weak: the plain consumer holds this observer.
        consumer.observeRebalances { [weak consumer = self.consumer] change in
            switch change {
            case .assigned(let partitions):
                gate.assign(partitions)
            case .commitRefusedDuringRebalance:
                // The rebalance has begun at the coordinator but not reached this member yet: start nothing new.
                // About a heartbeat interval (librdkafka's default is 3 s): long enough for the rebalance to
                // arrive, short enough not to stall the member if its poll thread is waiting for room.
                if gate.hold(atMost: min(wait, .seconds(3))) {
                    logger.debug("A commit was refused during a rebalance; holding new messages until it reaches this member")
                }
            case .revoked(let partitions):
                gate.revoke(partitions, revocationCount: consumer?.revocationCount ?? .max)
                let released = partitions.compactMap { queues.existing($0) }.reduce(0) { $0 + $1.removePending() }
                counters.releasedOnRebalance.add(released, ordering: .relaxed)
                if !gate.waitUntilIdle(partitions, atMost: wait) {
                    logger.warning(
                        "Handlers still running on revoked partitions after the revocation wait; their messages will be read again by the partitions' next owner",
                        metadata: ["wait": "\(wait)", "partitions": "\(partitions)"]
                    )
                }
                if released > 0 { logger.debug("Gave back queued messages of revoked partitions", metadata: ["messages": "\(released)"]) }
            }
        }
    }

    func commitPeriodically() async {
        let interval = consumer.configuration.commitInterval
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            try? consumer.commitStoredOffsetsAsync()
        }
    }

    // MARK: Dead letters

    /// Shuts the dead-letter producer down when this consumer created it; one the configuration supplied is the
    /// caller's to shut down (it may serve others).
    func shutDownOwnedDeadLetterProducer() async {
        guard configuration.deadLetterProducer == nil else { return }
        await deadLetterProducer.withLock { $0 }?.shutdown()
    }

    func deadLetter(_ message: KafkaConsumerMessage, error: any Error, attempts: Int, topic: String) async throws(KafkaError) {
        let producer: KafkaProducer = try deadLetterProducer.withLock { (existing: inout KafkaProducer?) throws(KafkaError) -> KafkaProducer in
            if let existing { return existing }
            let created = try KafkaProducer(
                configuration: KafkaProducerConfiguration(
                    bootstrapServers: consumer.configuration.bootstrapServers,
                    clientID: consumer.configuration.clientID + "-dead-letters"
                ),
                logger: logger
            )
            existing = created
            return created
        }
        try await producer.send(DeadLetterHeader.record(for: message, error: error, attempts: attempts, topic: topic))
    }
}

/// The failure that stopped the consumer, if any: the first one wins.
final class FirstFailure: Sendable {
    private let slot = Locked<KafkaHandlerError?>(nil)

    func record(_ failure: KafkaHandlerError) { slot.withLock { if $0 == nil { $0 = failure } } }

    var value: KafkaHandlerError? { slot.withLock { $0 } }
}

/// Counters behind ``TracedKafkaConsumer/statistics``.
final class Counters: Sendable {
    let handled = Atomic<Int>(0)
    let failedAttempts = Atomic<Int>(0)
    let retries = Atomic<Int>(0)
    let skipped = Atomic<Int>(0)
    let deadLettered = Atomic<Int>(0)
    let releasedOnRebalance = Atomic<Int>(0)
    let redeliveriesSkipped = Atomic<Int>(0)
    let timeoutsOverrun = Atomic<Int>(0)

    func snapshot(queuedMessages: Int) -> TracedKafkaConsumerStatistics {
        TracedKafkaConsumerStatistics(
            handled: handled.load(ordering: .relaxed),
            failedAttempts: failedAttempts.load(ordering: .relaxed),
            retries: retries.load(ordering: .relaxed),
            skipped: skipped.load(ordering: .relaxed),
            deadLettered: deadLettered.load(ordering: .relaxed),
            releasedOnRebalance: releasedOnRebalance.load(ordering: .relaxed),
            redeliveriesSkipped: redeliveriesSkipped.load(ordering: .relaxed),
            timeoutsOverrun: timeoutsOverrun.load(ordering: .relaxed),
            queuedMessages: queuedMessages
        )
    }
}
