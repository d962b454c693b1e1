import CRDKafka
import Foundation
public import Logging
public import ServiceLifecycle
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
/// - A dedicated thread blocks in `rd_kafka_consume_batch_queue` and hands messages over in batches through a
///   bounded buffer (``KafkaConsumerConfiguration/bufferCapacity``): no timer, no sleep. When librdkafka has stopped
///   fetching because its own queue reached `queued.min.messages` or `queued.max.messages.kbytes`, the thread
///   restarts fetching as soon as that queue has drained, where librdkafka 2.0 waits up to a second.
/// - Read ``messages`` and commit yourself (``storeOffset(for:)`` then ``commitStoredOffsets()``, or ``commit(_:)``),
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

    private let client: RDKafkaClient
    private let callbacks: ConsumerCallbacks
    private let buffer: MessageBuffer<KafkaConsumerMessage>
    private let pollThread = PollThreadControl()
    private let lifecycle = Mutex(Lifecycle())
    private let logger: Logger

    private struct Lifecycle {
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

        let conf = try RDKafkaConfiguration.make(configuration.properties)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(callbacks).toOpaque())
        rd_kafka_conf_set_error_cb(conf, ConsumerCallbackEntryPoints.error)
        if configuration.groupID != nil {
            rd_kafka_conf_set_rebalance_cb(conf, ConsumerCallbackEntryPoints.rebalance)
            rd_kafka_conf_set_offset_commit_cb(conf, ConsumerCallbackEntryPoints.offsetCommit)
        }
        let waker = FetchPauseWaker(conf: conf)
        let client = try RDKafkaClient(type: RD_KAFKA_CONSUMER, conf: conf, callbackOwner: callbacks)
        self.client = client
        // Every event (errors, rebalances, commits) then arrives on the queue the poll thread serves.
        rd_kafka_poll_set_consumer(client.handle)

        switch configuration.subscription {
        case .group(_, let topics):
            guard !topics.isEmpty else {
                throw KafkaError(kind: .invalidArgument, code: .invalidArgument, message: "subscribe to at least one topic")
            }
            let list = RDKafkaTopicPartitionList.make(topics: topics)
            let result = rd_kafka_subscribe(client.handle, list)
            rd_kafka_topic_partition_list_destroy(list)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.from(result, kind: .consumer, context: "subscribing to \(topics)")
            }
        case .assignment:
            break  // assigned by the poll thread, once the partitions' leaders are known
        }
        Self.startPollThread(
            client: client, callbacks: callbacks, buffer: buffer, control: pollThread, configuration: configuration, waker: waker
        )
    }

    deinit {
        pollThread.requestStop()
        buffer.finish(discardingBuffered: true)
        pollThread.waitUntilExited()
        let alreadyClosed = lifecycle.withLock { $0.closed }
        if !alreadyClosed { _ = rd_kafka_consumer_close(client.handle) }
        callbacks.events.finish()
    }

    private static func startPollThread(
        client: RDKafkaClient,
        callbacks: ConsumerCallbacks,
        buffer: MessageBuffer<KafkaConsumerMessage>,
        control: PollThreadControl,
        configuration: KafkaConsumerConfiguration,
        waker: FetchPauseWaker
    ) {
        let thread = Thread {
            var waker = waker
            if case .assignment(let positions, _) = configuration.subscription { assign(positions, client: client, callbacks: callbacks) }
            let queue = rd_kafka_queue_get_consumer(client.handle)
            var slots = [UnsafeMutablePointer<rd_kafka_message_t>?](repeating: nil, count: max(1, configuration.batchSize))
            var batch: [KafkaConsumerMessage] = []
            var topicNames = RDKafkaTopicNames()
            /// Takes up to `slots[range]` messages, waiting at most `timeout` ms for them all: copies of the messages
            /// into `batch`, partition EOFs and errors onto the events.
            func take(_ range: Range<Int>, timeout: Int32) -> Bool {
                let count = slots[range].withUnsafeMutableBufferPointer { rd_kafka_consume_batch_queue(queue, timeout, $0.baseAddress, $0.count) }
                if count < 0 {
                    callbacks.report(KafkaError(kind: .consumer, code: .state, message: "consume failed (\(count))"))
                    return false
                }
                // Revocations are served inside the consume call, never while its messages are copied below: one read
                // stamps them all.
                let revocations = callbacks.revocations.load(ordering: .sequentiallyConsistent)
                for index in range.lowerBound..<range.lowerBound + count {
                    guard let message = slots[index] else { continue }
                    defer { rd_kafka_message_destroy(message) }
                    guard message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR else {
                        waker.observe(payloadBytes: message.pointee.len)
                        batch.append(KafkaConsumerMessage(copying: message, revocationsBeforeFetch: revocations, topicNames: &topicNames))
                        continue
                    }
                    let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
                    if message.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                        callbacks.events.yield(
                            .partitionEOF(KafkaTopicPartitionOffset(topic: topic, partition: message.pointee.partition, offset: message.pointee.offset))
                        )
                    } else {
                        var context = "consuming"
                        if !topic.isEmpty { context += " \(topic)[\(message.pointee.partition)]" }
                        callbacks.report(KafkaError.from(message.pointee.err, kind: .consumer, context: context))
                    }
                }
                return count == range.count
            }
            polling: while !control.shouldStop {
                // librdkafka's batch call waits until the batch is full or the time is up, so one call for a whole
                // batch held messages back for up to 100 ms whenever fewer were queued. Instead: wait for the first
                // (the 100 ms bound only lets the thread notice a stop request), then take what is already queued.
                batch.removeAll(keepingCapacity: true)
                if take(0..<1, timeout: 100) && slots.count > 1 { _ = take(1..<slots.count, timeout: 0) }
                if waker.batchTaken(batch.count, leaving: rd_kafka_queue_length(queue), client: client.handle) {
                    callbacks.fetchWakeUps.add(1, ordering: .relaxed)
                }
                if !batch.isEmpty && !buffer.push(batch, shouldStop: { control.shouldStop }) { break polling }
            }
            rd_kafka_queue_destroy(queue)
            control.markExited()
        }
        thread.name = "highlight-kafka-consumer"
        control.markStarted()
        thread.start()
    }

    /// Assigns fixed partitions after asking for their topics' metadata (one request, at most one second). Assigned
    /// before its leader is known, a partition waits a fixed 500 ms in librdkafka before it looks its start offset up
    /// again, so every reader of fixed partitions got its first message half a second late. A refused assignment is
    /// reported on ``events`` and logged.
    private static func assign(_ positions: [KafkaTopicPartitionOffset], client: RDKafkaClient, callbacks: ConsumerCallbacks) {
        // Topic handles make the topics locally known, so one request covers them all.
        let topics = Set(positions.map(\.topicPartition.topic)).compactMap { rd_kafka_topic_new(client.handle, $0, nil) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        // A failure (broker down, unknown topic) only costs the wait: librdkafka keeps trying after the assignment.
        if rd_kafka_metadata(client.handle, 0, nil, &metadata, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata {
            rd_kafka_metadata_destroy(metadata)
        }
        topics.forEach { rd_kafka_topic_destroy($0) }
        let list = RDKafkaTopicPartitionList.make(positions)
        let result = rd_kafka_assign(client.handle, list)
        rd_kafka_topic_partition_list_destroy(list)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            callbacks.report(KafkaError.from(result, kind: .consumer, context: "assigning \(positions)"))
        }
    }

    /// How often the poll thread restarted fetching after draining librdkafka's queue (see `FetchPauseWaker`).
    package var fetchWakeUps: Int { callbacks.fetchWakeUps.load(ordering: .relaxed) }

    /// Waits for at least one message, then returns up to `maximum` that are already fetched; empty after shutdown.
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
    public func observeRebalances(_ observer: @escaping @Sendable (KafkaRebalance) -> Void) {
        callbacks.rebalanceObserver.withLock { $0 = observer }
    }

    /// How many revocations this consumer has served; inside a ``KafkaRebalance/revoked(_:)`` observer, the count
    /// including that revocation. Messages fetched before it carry a lower count.
    package var revocationCount: UInt64 {
        callbacks.revocations.load(ordering: .sequentiallyConsistent)
    }

    // MARK: Offsets

    /// Marks `message` as processed: its offset is committed by the next commit (yours, ``run(_:)``'s, auto-commit's,
    /// the one before a revocation, or the one at shutdown).
    ///
    /// - Throws: ``KafkaError`` when the partition is no longer assigned to this consumer (it was revoked: the message
    ///   will be read again by its new owner).
    public func storeOffset(for message: KafkaConsumerMessage) throws(KafkaError) {
        try store([message.nextPosition])
    }

    /// Marks positions as processed (the offset is that of the next message to read).
    public func store(_ positions: [KafkaTopicPartitionOffset]) throws(KafkaError) {
        try ensureOpen()
        let client = self.client
        try RDKafkaTopicPartitionList.with(positions) { list throws(KafkaError) in
            let result = rd_kafka_offsets_store(client.handle, list)
            // The entries are read (their topic names copied) only when something failed: this runs for every
            // handled message.
            let anyFailed = (0..<Int(list.pointee.cnt)).contains { list.pointee.elems[$0].err != RD_KAFKA_RESP_ERR_NO_ERROR }
            guard result != RD_KAFKA_RESP_ERR_NO_ERROR || anyFailed else { return }
            let failure = RDKafkaTopicPartitionList.read(list).first { $0.error != nil }
            let code = failure?.error ?? KafkaErrorCode(result)
            throw KafkaError(
                kind: .commit,
                code: code,
                message: "cannot store the offset of \(failure?.position.description ?? "\(positions)"): \(code.message); "
                    + "the partition may have been revoked, in which case its new owner reads the message again"
            )
        }
    }

    /// Commits `message` as processed and waits for the broker.
    public func commit(_ message: KafkaConsumerMessage) async throws(KafkaError) {
        try await commit([message.nextPosition])
    }

    /// Commits positions (the offset of the next message to read) and waits for the broker.
    public func commit(_ positions: [KafkaTopicPartitionOffset]) async throws(KafkaError) {
        try ensureOpen()
        let client = self.client
        let outcome: Result<Void, KafkaError> = await runBlocking {
            Result { () throws(KafkaError) in
                try RDKafkaTopicPartitionList.with(positions) { list throws(KafkaError) in
                    let result = rd_kafka_commit(client.handle, list, 0)
                    try Self.checkCommit(result, list)
                }
            }
        }
        try outcome.get()
    }

    /// Commits `message` without waiting; the outcome arrives on ``events``.
    public func commitAsync(_ message: KafkaConsumerMessage) throws(KafkaError) {
        try ensureOpen()
        let client = self.client
        try RDKafkaTopicPartitionList.with([message.nextPosition]) { list throws(KafkaError) in
            let result = rd_kafka_commit(client.handle, list, 1)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(result, kind: .commit, context: "commit") }
        }
    }

    /// Commits every stored offset and waits for the broker; does nothing when nothing new was stored.
    public func commitStoredOffsets() async throws(KafkaError) {
        try ensureOpen()
        try await commitStored()
    }

    /// Commits every stored offset without waiting; the outcome arrives on ``events``.
    public func commitStoredOffsetsAsync() throws(KafkaError) {
        try ensureOpen()
        let result = rd_kafka_commit(client.handle, nil, 1)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR || result == RD_KAFKA_RESP_ERR__NO_OFFSET else {
            throw KafkaError.from(result, kind: .commit, context: "commit")
        }
    }

    /// The offsets the group has committed for these partitions (`KafkaTopicPartitionOffset.stored` when none).
    public func committedOffsets(for partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)) async throws(KafkaError) -> [KafkaTopicPartitionOffset] {
        let client = self.client
        let positions = partitions.map { KafkaTopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: KafkaTopicPartitionOffset.stored) }
        let milliseconds = Int32(clamping: timeout.milliseconds)
        let outcome: Result<[KafkaTopicPartitionOffset], KafkaError> = await runBlocking {
            Result { () throws(KafkaError) in
                try RDKafkaTopicPartitionList.with(positions) { list throws(KafkaError) in
                    let result = rd_kafka_committed(client.handle, list, milliseconds)
                    guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(result, kind: .commit, context: "reading committed offsets") }
                    return RDKafkaTopicPartitionList.read(list).map(\.position)
                }
            }
        }
        return try outcome.get()
    }

    /// The final commit: a retriable refusal (a rebalance in progress, a coordinator moving) is retried every
    /// 100 ms for at most `budget`, since a failure here means handled messages are read again after a restart.
    private func commitStoredRetrying(for budget: Duration) async {
        let deadline = ContinuousClock.now + budget
        while true {
            do {
                try await commitStored()
                return
            } catch {
                guard error.isRetriable, !Task.isCancelled, ContinuousClock.now < deadline else {
                    logger.error("Shutdown: committing processed offsets failed; they will be read again", metadata: ["error": "\(error)"])
                    return
                }
                logger.debug("Shutdown: the final commit was refused; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private func commitStored() async throws(KafkaError) {
        let client = self.client
        let result = await runBlocking { rd_kafka_commit(client.handle, nil, 0) }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR || result == RD_KAFKA_RESP_ERR__NO_OFFSET else {
            throw KafkaError.from(result, kind: .commit, context: "commit of processed offsets")
        }
    }

    private static func checkCommit(_ result: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws(KafkaError) {
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(result, kind: .commit, context: "commit") }
        if let failure = RDKafkaTopicPartitionList.read(list).first(where: { $0.error != nil }), let code = failure.error {
            throw KafkaError(kind: .commit, code: code, message: "commit of \(failure.position) failed: \(code.message)")
        }
    }

    private func ensureOpen() throws(KafkaError) {
        if lifecycle.withLock({ $0.closed }) { throw KafkaError.closed("consumer") }
    }

    // MARK: Running

    /// Calls `handler` for each message, one at a time, and commits each message's offset only after the handler
    /// returns (asynchronously every ``KafkaConsumerConfiguration/commitInterval``, synchronously on revocation and
    /// at shutdown). Returns after graceful shutdown or ``shutdown()``, having committed what was processed.
    ///
    /// - Throws: the handler's error, after committing the messages handled before it (the failed message is not
    ///   committed, so it is read again). The consumer is then shut down.
    public func run(_ handler: (KafkaConsumerMessage) async throws -> Void) async throws {
        lifecycle.withLock { $0.runningHandlers += 1 }
        var failure: (any Error)?
        await withGracefulShutdownHandler {
            var lastCommit = ContinuousClock.now
            var pendingCommit = false
            for await message in messages {
                do {
                    try await handler(message)
                } catch {
                    failure = error
                    break
                }
                do {
                    try storeOffset(for: message)
                    pendingCommit = true
                } catch {
                    logger.warning("Processed message not committed", metadata: ["error": "\(error)"])
                }
                if pendingCommit && ContinuousClock.now - lastCommit >= configuration.commitInterval {
                    try? commitStoredOffsetsAsync()
                    pendingCommit = false
                    lastCommit = .now
                }
            }
        } onGracefulShutdown: {
            self.stopFetching()
        }
        handlerFinished()
        await shutdown()
        if let failure { throw failure }
    }

    /// Runs until graceful shutdown (or cancellation), then calls ``shutdown()``.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops fetching, waits for ``run(_:)`` handlers in flight, commits every processed offset, leaves the group and
    /// closes. Messages fetched but not handed out are dropped (never committed: they are read again). Safe to call more
    /// than once; later calls wait for the first to finish.
    public func shutdown() async {
        let first = lifecycle.withLock { state -> Bool in
            defer { state.shutdownStarted = true }
            return !state.shutdownStarted
        }
        guard first else {
            await waitUntilClosed()
            return
        }
        stopFetching()
        await waitForHandlers()
        if configuration.groupID != nil { await commitStoredRetrying(for: .seconds(3)) }
        let client = self.client
        let control = pollThread
        let callbacks = self.callbacks
        await runBlocking {
            control.waitUntilExited()
            // Leaves the group; serves the final revocation (which commits again if anything is left).
            let result = rd_kafka_consumer_close(client.handle)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                callbacks.report(KafkaError.from(result, kind: .consumer, context: "closing the consumer"))
            }
        }
        callbacks.events.finish()
        let waiters = lifecycle.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.closed = true
            defer { state.closedWaiters.removeAll() }
            return state.closedWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Asks the consumer to stop without waiting: fetching stops at once, ``run(_:)`` returns after the handler in
    /// flight (and then shuts down). Safe to call from inside a handler, where awaiting ``shutdown()`` would wait for
    /// the handler itself.
    public func triggerShutdown() {
        stopFetching()
    }

    private func stopFetching() {
        pollThread.requestStop()
        buffer.finish(discardingBuffered: true)
    }

    private func handlerFinished() {
        let waiters = lifecycle.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.runningHandlers -= 1
            guard state.runningHandlers == 0 else { return [] }
            defer { state.handlersIdle.removeAll() }
            return state.handlersIdle
        }
        for waiter in waiters { waiter.resume() }
    }

    private func waitForHandlers() async {
        await withCheckedContinuation { continuation in
            let idle = lifecycle.withLock { state -> Bool in
                if state.runningHandlers == 0 { return true }
                state.handlersIdle.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    private func waitUntilClosed() async {
        await withCheckedContinuation { continuation in
            let closed = lifecycle.withLock { state -> Bool in
                if state.closed { return true }
                state.closedWaiters.append(continuation)
                return false
            }
            if closed { continuation.resume() }
        }
    }
}
