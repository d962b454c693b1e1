public import Logging
public import ServiceLifecycle
import HighlightSynchronization
import Synchronization

/// A Kafka consumer on librdkafka: a member of a consumer group, or a reader of fixed partitions.
///
/// ```swift
/// let consumer = try KafkaConsumer(
///     configuration: .init(bootstrapServers: ["localhost:9092"], subscription: .group(id: "workers", topics: ["orders"])),
///     logger: logger
/// )
/// try await consumer.run { message in
///     try await process(message)  // the offset is committed only after this returns
/// }
/// ```
///
/// - A dedicated thread blocks in librdkafka's batch read and hands messages over in batches through a
///   bounded buffer (``KafkaConsumerConfiguration/bufferCapacity``): no timer, no sleep. When librdkafka has stopped
///   fetching because its own queue reached `queued.min.messages` or `queued.max.messages.kbytes`, the thread
///   restarts fetching as soon as that queue has drained, where librdkafka 2.0 waits up to a second.
/// - Read ``messages`` and commit yourself (``storeOffset(for:)`` then ``commitStoredOffsets()``, or `commit(_:)`),
///   or let ``run(_:)`` do it: at least once, offsets committed only after the handler returns.
/// - Rebalances, partition EOF and errors arrive on ``events``; errors are also logged.
/// - ``shutdown()`` stops fetching, waits for ``run(_:)`` handlers in flight, commits what was processed, and leaves
///   the group. As a swift-service-lifecycle `Service`, ``run()`` does that on graceful shutdown.
public final class KafkaConsumer: Service, Sendable {
    /// The configuration the consumer was created with.
    public let configuration: KafkaConsumerConfiguration
    /// The messages, in order per partition; ends at shutdown.
    public let messages: KafkaConsumerMessages
    /// Rebalances, partition EOF, commits and errors. Keeps the newest 1,000 when nobody reads it.
    public let events: AsyncStream<KafkaConsumerEvent>

    let client: RDKafkaClient
    let callbacks: ConsumerCallbacks
    let buffer: MessageBuffer<KafkaConsumerMessage>
    let pollThread = PollThreadControl()
    let releases = MessageReleaseQueue()
    let lifecycle = Locked(Lifecycle())
    let logger: Logger

    struct Lifecycle {
        var shutdownStarted = false
        var closed = false
        var runningHandlers = 0
        var handlersIdle: [CheckedContinuation<Void, Never>] = []
        var closedWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Creates the consumer, subscribes (or assigns), and starts fetching.
    ///
    /// - Throws: ``KafkaError`` of kind ``KafkaError/Kind/configuration`` naming a refused property, or of kind
    ///   ``KafkaError/Kind/consumer`` when the subscription is refused. Fixed partitions are assigned by the poll
    ///   thread once their leaders are known (a refusal arrives on ``events``).
    ///
    /// - Parameters:
    ///   - configuration: the brokers, the subscription or assignment, and the consumer's settings.
    ///   - logger: where librdkafka's log lines and the consumer's own go.
    public init(configuration: KafkaConsumerConfiguration, logger: Logger = Logger(label: "highlight.kafka.consumer")) throws(KafkaError) {
        self.configuration = configuration
        self.logger = logger
        let buffer = MessageBuffer<KafkaConsumerMessage>(capacity: configuration.bufferCapacity)
        self.buffer = buffer
        self.messages = KafkaConsumerMessages(buffer: buffer)
        let (events, continuation) = AsyncStream.makeStream(of: KafkaConsumerEvent.self, bufferingPolicy: .bufferingNewest(1000))
        self.events = events
        let callbacks = ConsumerCallbacks(events: continuation, buffer: buffer, logger: logger)
        self.callbacks = callbacks

        let (client, fetchThresholds) = try RDKafkaClient.consumer(
            properties: configuration.properties, callbacks: callbacks, groupMember: configuration.groupID != nil
        )
        self.client = client

        switch configuration.subscription {
        case .group(_, let topics):
            guard !topics.isEmpty else {
                throw KafkaError(kind: .invalidArgument, code: .invalidArgument, message: "subscribe to at least one topic")
            }
            try client.subscribe(topics)
        case .assignment:
            break  // assigned by the poll thread, once the partitions' leaders are known
        }
        ConsumerPollThread.start(
            client: client,
            callbacks: callbacks,
            buffer: buffer,
            control: pollThread,
            releases: releases,
            configuration: configuration,
            waker: FetchPauseWaker(messageThreshold: fetchThresholds.messages, byteThreshold: fetchThresholds.bytes)
        )
    }

    deinit {
        // Blocks in nothing: a consumer released without shutdown() is closed on a thread of its own.
        guard !lifecycle.withLock({ $0.closed }) else { return }
        logger.warning("KafkaConsumer released without shutdown(); closing it in the background (offsets stored but not committed are read again)")
        let (client, callbacks, control) = (self.client, self.callbacks, self.pollThread)
        control.requestStop()
        buffer.finish(discardingBuffered: true)
        runInBackground("highlight-kafka-consumer-close") {
            control.waitUntilExited()
            client.serveQueuedEvents()
            if let error = client.closeConsumer() { callbacks.report(error) }
            callbacks.events.finish()
        }
    }

    /// How often the poll thread restarted fetching after draining librdkafka's queue (see `FetchPauseWaker`).
    /// Hands back a message its reader is done with, to be released on the poll thread that copied it (see
    /// ``MessageReleaseQueue``): for a reader on another thread that drops many messages, cheaper than letting them go
    /// where it is.
    ///
    /// - Parameter message: a message read from this consumer.
    package func release(_ message: consuming KafkaConsumerMessage) {
        releases.giveBack(consume message)
    }

    package var fetchWakeUps: Int { callbacks.fetchWakeUps.load(ordering: .relaxed) }

    /// Waits for at least one message, then returns up to `maximum` that are already fetched; empty after shutdown.
    ///
    /// - Parameter maximum: the most messages to return.
    /// - Returns: between 1 and `maximum` messages in order per partition, or none after shutdown or cancellation.
    public func nextBatch(maximum: Int) async -> [KafkaConsumerMessage] {
        await buffer.nextBatch(maximum: max(1, maximum))
    }

    // MARK: Rebalances

    /// Calls `observer` at every rebalance of a group subscription, on the consumer's poll thread, while librdkafka
    /// waits: at a revocation, before the offsets stored so far are committed and the partitions let go. Use it to
    /// finish or give back messages of revoked partitions you are holding, so that nothing handled is read again by
    /// their next owner. Keep it short; it replaces any earlier observer.
    ///
    /// ```swift
    /// consumer.observeRebalances { change in
    ///     if case .revoked(let partitions) = change { pending.removeAll { partitions.contains($0.topicPartition) } }
    /// }
    /// ```
    ///
    /// - Parameter observer: called with each assignment and revocation, on the poll thread.
    public func observeRebalances(_ observer: @escaping @Sendable (KafkaRebalance) -> Void) {
        callbacks.rebalanceObserver.withLock { $0 = observer }
    }

    /// How many revocations this consumer has served; inside a ``KafkaRebalance/revoked(_:)`` observer, the count
    /// including that revocation. Messages fetched before it carry a lower count.
    package var revocationCount: UInt64 {
        callbacks.revocations.load(ordering: .sequentiallyConsistent)
    }
}
