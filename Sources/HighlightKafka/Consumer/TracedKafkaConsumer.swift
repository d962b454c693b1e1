public import HighlightKafkaClient
import HighlightPropagation
import Instrumentation
public import Logging
public import ServiceLifecycle
import Synchronization
import Tracing

/// A ``KafkaConsumer`` that runs your handler inside the session and trace each message carries.
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
    let deadLetterProducer: Mutex<KafkaProducer?>

    /// Wraps an existing consumer.
    public init(consumer: KafkaConsumer, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "highlight.kafka.consumer")) {
        self.consumer = consumer
        self.configuration = configuration
        self.queueBudget = QueueBudget(capacity: configuration.totalQueueCapacity)
        self.logger = logger
        self.serverHost = firstServerHost(consumer.configuration.bootstrapServers)
        self.deadLetterProducer = Mutex(configuration.deadLetterProducer)
    }

    /// Creates the plain consumer and wraps it.
    public convenience init(
        configuration: KafkaConsumerConfiguration,
        tracing: Configuration = Configuration(),
        logger: Logger = Logger(label: "highlight.kafka.consumer")
    ) throws(KafkaError) {
        self.init(consumer: try KafkaConsumer(configuration: configuration, logger: logger), configuration: tracing, logger: logger)
    }

    /// Counters of handled, failed, retried, skipped and dead-lettered messages.
    public var statistics: TracedKafkaConsumerStatistics { counters.snapshot(queuedMessages: queueBudget.used) }

    /// Handles messages until graceful shutdown, ``triggerShutdown()``, or a ``KafkaErrorPolicy/stop``; then commits
    /// what was handled and closes the consumer.
    ///
    /// - Throws: ``KafkaHandlerError`` when the error policy stopped the consumer.
    public func run(_ handler: @escaping @Sendable (KafkaTracedMessage) async throws -> Void) async throws {
        let stop = FirstFailure()
        let gate = PartitionGate()
        let queues = PartitionQueues(budget: queueBudget)
        observeRebalances(gate: gate, queues: queues)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.commitPeriodically() }
            await withGracefulShutdownHandler {
                for await message in consumer.messages {
                    let (queue, created) = queues.queue(for: message.topicPartition, capacity: configuration.partitionQueueCapacity)
                    if created { group.addTask { await self.work(queue, gate: gate, handler: handler, stop: stop) } }
                    await queue.send(message)
                }
            } onGracefulShutdown: {
                self.consumer.triggerShutdown()
            }
            // Fetching has stopped. Messages queued but not started are dropped (never committed: read again);
            // handlers in flight finish and their offsets are stored.
            let all = queues.all
            for queue in all { queue.finish(discardingPending: true) }
            for _ in 0..<all.count { await group.next() }
            group.cancelAll()
        }
        await consumer.shutdown()
        await shutDownOwnedDeadLetterProducer()
        if let failure = stop.value { throw failure }
    }

    /// Stops fetching; ``run(_:)`` returns once the handlers in flight finish. Safe to call from a handler.
    public func triggerShutdown() {
        consumer.triggerShutdown()
    }

    /// Runs the plain consumer's lifecycle (see ``KafkaConsumer/run()``); use ``run(_:)`` to handle messages.
    public func run() async throws {
        try await consumer.run()
    }

    // MARK: Workers

    private func work(
        _ queue: AsyncBoundedQueue<KafkaConsumerMessage>,
        gate: PartitionGate,
        handler: @escaping @Sendable (KafkaTracedMessage) async throws -> Void,
        stop: FirstFailure
    ) async {
        while let message = await queue.next() {
            if Task.isCancelled {
                // Only a handler cancels a worker (run(_:) ends its workers by finishing their queues): carry on in a
                // fresh task so that one handler's cancellation does not fail every message after it.
                logger.debug("A handler cancelled its partition's worker; continuing in a new task", metadata: ["partition": "\(message.topicPartition)"])
                await Task { await self.work(queue, gate: gate, handler: handler, stop: stop, first: message) }.value
                return
            }
            guard await handle(message, gate: gate, handler: handler, stop: stop) else {
                // Stopped by the error policy: what waits here is never started (nor committed), and its slots in
                // the shared budget go back so the dispatcher cannot wait on them.
                queue.finish(discardingPending: true)
                return
            }
        }
    }

    private func work(
        _ queue: AsyncBoundedQueue<KafkaConsumerMessage>,
        gate: PartitionGate,
        handler: @escaping @Sendable (KafkaTracedMessage) async throws -> Void,
        stop: FirstFailure,
        first: KafkaConsumerMessage
    ) async {
        guard await handle(first, gate: gate, handler: handler, stop: stop) else {
            queue.finish(discardingPending: true)
            return
        }
        await work(queue, gate: gate, handler: handler, stop: stop)
    }

    /// One message through the gate, the handler and the policy; stores its offset when it is done.
    /// - Returns: false when the error policy stopped the consumer (this partition's worker then ends).
    private func handle(
        _ message: KafkaConsumerMessage,
        gate: PartitionGate,
        handler: @escaping @Sendable (KafkaTracedMessage) async throws -> Void,
        stop: FirstFailure
    ) async -> Bool {
        await gate.waitWhileHeld()
        guard admit(through: gate)(message) else { return true }
        switch await process(message, handler: handler) {
        case .done:
            do {
                try consumer.storeOffset(for: message)
                gate.end(message, stored: true)
            } catch {
                gate.end(message, stored: false)
                logger.warning("A handled message could not be committed; it will be read again", metadata: ["error": "\(error)"])
            }
            return true
        case .stop(let failure):
            gate.end(message, stored: false)
            stop.record(failure)
            consumer.triggerShutdown()
            return false
        }
    }

    /// Whether a message may start (its partition is still ours and it was not handled already); what is turned away
    /// is counted.
    func admit(through gate: PartitionGate) -> (KafkaConsumerMessage) -> Bool {
        let counters = self.counters
        return { message in
            switch gate.begin(message) {
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
    }

    /// At a revocation: nothing more of those partitions starts, what waits is given back (their next owner reads it
    /// from the committed offset), and the handlers running finish so their offsets make the commit that follows.
    /// - Parameter queues: the partition queues to empty at a revocation; `nil` for `runBatches`, which keeps none.
    func observeRebalances(gate: PartitionGate, queues: PartitionQueues?) {
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
                let released = partitions.compactMap { queues?.existing($0) }.reduce(0) { $0 + $1.removePending() }
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

    private func commitPeriodically() async {
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
    private let slot = Mutex<KafkaHandlerError?>(nil)

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
