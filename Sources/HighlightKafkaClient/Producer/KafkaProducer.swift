import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization
import HighlightSynchronization

/// A Kafka producer on librdkafka.
///
/// ```swift
/// let producer = try KafkaProducer(configuration: .init(bootstrapServers: ["localhost:9092"]), logger: logger)
/// let receipt = try await producer.send(KafkaProducerRecord(topic: "orders", key: "42", value: "created"))
/// print(receipt.partition, receipt.offset)
/// await producer.shutdown()
/// ```
///
/// - ``send(_:)`` awaits the broker's acknowledgement; ``sendAndForget(_:)`` returns once the message is queued and
///   reports on ``deliveryReports``. Both wait for room when librdkafka's local queue is full: that is backpressure,
///   never an error.
/// - Every accepted message resolves exactly once: delivered, or failed with a ``KafkaError`` (at the latest after
///   ``KafkaProducerConfiguration/messageTimeout``, or at shutdown when the flush time runs out).
/// - Delivery reports are served, in order, by the task that is sending (on every 64th send, as librdkafka advises:
///   what a report frees is then freed on the thread that allocated it), and otherwise by a dedicated thread woken by
///   librdkafka when reports arrive, never by a timer.
/// - As a swift-service-lifecycle `Service`, ``run()`` waits for graceful shutdown, then flushes and closes.
public final class KafkaProducer: Service, Sendable {
    /// The configuration the producer was created with.
    public let configuration: KafkaProducerConfiguration
    /// Reports of messages sent with ``sendAndForget(_:)``, in the order librdkafka delivers them. Finishes at shutdown,
    /// or at once when ``KafkaProducerConfiguration/deliveryReportBufferSize`` is 0.
    public let deliveryReports: AsyncStream<KafkaDeliveryReport>

    private let client: RDKafkaClient
    let callbacks: ProducerCallbacks
    private let room = RoomSignal()
    private let pollThread = PollThreadControl()
    private let phase = Locked<Phase>(.running)
    private let nextMessageID = Atomic<UInt64>(1)
    private let logger: Logger

    private enum Phase { case running, shuttingDown, closed }

    /// Creates a producer and starts its poll thread.
    ///
    /// - Parameters:
    ///   - configuration: the brokers and the producer's settings.
    ///   - logger: where librdkafka's log lines and the producer's own go.
    /// - Throws: ``KafkaError`` of kind ``KafkaError/Kind/configuration`` naming the property librdkafka refused.
    public init(configuration: KafkaProducerConfiguration, logger: Logger = Logger(label: "highlight.kafka.producer")) throws(KafkaError) {
        self.configuration = configuration
        self.logger = logger
        let (reports, continuation) = AsyncStream.makeStream(
            of: KafkaDeliveryReport.self,
            bufferingPolicy: .bufferingNewest(max(1, configuration.deliveryReportBufferSize))
        )
        self.deliveryReports = reports
        // No stream wanted: finish it now, and the poll thread never pays for a report nobody reads.
        if configuration.deliveryReportBufferSize <= 0 { continuation.finish() }
        let callbacks = ProducerCallbacks(
            reports: configuration.deliveryReportBufferSize > 0 ? continuation : nil,
            logger: logger
        )
        self.callbacks = callbacks

        self.client = try RDKafkaClient.producer(properties: configuration.properties, callbacks: callbacks)

        let client = self.client
        let room = self.room
        let control = self.pollThread
        let serving = callbacks.serving
        let thread = Thread {
            // Waits until reports arrive (or a stop is requested), and serves them unless a sender is serving.
            while !control.shouldStop {
                let served = serving.pollThreadTurn(
                    sendersWaiting: { room.waiterCount > 0 },
                    wakeSenders: { room.signal() },
                    { client.poll(timeoutMilliseconds: 0) }
                )
                if served > 0 { room.signal() }
            }
            control.markExited()
        }
        thread.name = "highlight-kafka-producer"
        control.markStarted()
        thread.start()
    }

    deinit {
        // Blocks in nothing: a producer released without shutdown still resolves every message, on a thread of its
        // own (what is left is purged and its reports served).
        guard phase.withLock({ if case .closed = $0 { false } else { true } }) else { return }
        logger.warning("KafkaProducer released without shutdown(); failing what is still queued in the background")
        let (client, callbacks, control, room) = (self.client, self.callbacks, self.pollThread, self.room)
        control.requestStop()
        room.close()
        runInBackground("highlight-kafka-producer-close") {
            control.waitUntilExited()
            client.purgeAll()
            _ = client.flush(timeoutMilliseconds: 1000)
            callbacks.reports?.finish()
        }
    }

    /// Counters of accepted, delivered and failed messages.
    public var statistics: KafkaProducerStatistics { callbacks.counters.snapshot }

    /// Sends a record and waits for the broker's acknowledgement.
    ///
    /// Waits for room when the local queue is full. Once the message is queued, cancelling the task does not
    /// un-send it: the call still returns its outcome.
    ///
    /// - Parameter record: the topic, key, value, headers and, optionally, partition.
    /// - Returns: the partition and offset the broker stored the message at.
    /// - Throws: ``KafkaError`` of kind ``KafkaError/Kind/delivery`` when the message was not delivered, or
    ///   ``KafkaError/Kind/closed`` after shutdown.
    @discardableResult
    public func send(_ record: KafkaProducerRecord) async throws(KafkaError) -> KafkaDeliveryReceipt {
        let pending = PendingDelivery(id: nextMessageID.add(1, ordering: .relaxed).oldValue, topic: record.topic, forgotten: false)
        try await enqueue(record, context: .pending(pending))
        return try await pending.outcome().get()
    }

    /// Queues a record and returns its id at once; its outcome arrives on ``deliveryReports`` with that id.
    ///
    /// Waits for room when the local queue is full.
    ///
    /// - Parameter record: the topic, key, value, headers and, optionally, partition.
    /// - Returns: the message's id, which its delivery report carries.
    /// - Throws: ``KafkaError`` when the record cannot be queued (an unknown partition, a value over `message.max.bytes`,
    ///   or ``KafkaError/Kind/closed`` after shutdown).
    @discardableResult
    public func sendAndForget(_ record: KafkaProducerRecord) async throws(KafkaError) -> UInt64 {
        let id = reserveMessageID()
        try await sendAndForget(record, messageID: id)
        return id
    }

    /// Queues a record like ``sendAndForget(_:)`` and calls `onDelivery` with its outcome.
    ///
    /// `onDelivery` runs exactly once for every message this call queued (at the latest when ``shutdown(flushTimeout:)``
    /// fails what is left), before the report is put on ``deliveryReports``, on the producer's poll thread or inside a
    /// later send on this producer (which serves the reports that are in): keep it short and never block in it. It does
    /// not run when this call throws (the message was not queued).
    ///
    /// - Parameters:
    ///   - record: the topic, key, value, headers and, optionally, partition.
    ///   - onDelivery: called once with the outcome.
    /// - Returns: the message's id, which its delivery report carries.
    /// - Throws: ``KafkaError`` when the record cannot be queued; `onDelivery` is then not called.
    @discardableResult
    public func sendAndForget(
        _ record: KafkaProducerRecord,
        onDelivery: @escaping @Sendable (Result<KafkaDeliveryReceipt, KafkaError>) -> Void
    ) async throws(KafkaError) -> UInt64 {
        let id = reserveMessageID()
        try await enqueue(record, context: .pending(PendingDelivery(id: id, topic: record.topic, forgotten: true, onDelivery: onDelivery)))
        return id
    }

    func reserveMessageID() -> UInt64 {
        nextMessageID.add(1, ordering: .relaxed).oldValue
    }

    private nonisolated(nonsending) func sendAndForget(_ record: KafkaProducerRecord, messageID: UInt64) async throws(KafkaError) {
        try await enqueue(record, context: callbacks.forgottenContext(id: messageID, topic: record.topic))
    }

    /// Waits until every queued message has been delivered or failed.
    ///
    /// - Parameter timeout: how long to wait.
    /// - Throws: ``KafkaError`` with code ``KafkaErrorCode/timedOut`` when messages are still outstanding after `timeout`.
    public func flush(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let client = self.client
        let milliseconds = Int32(clamping: timeout.milliseconds)
        let serving = callbacks.serving
        if let code = await runBlocking({ serving.servingAlone { client.flush(timeoutMilliseconds: milliseconds) } }) {
            let left = client.outstandingMessages
            throw KafkaError(
                kind: .delivery,
                code: code,
                message: "\(left) message(s) still outstanding after \(timeout); is the broker reachable?"
            )
        }
    }

    /// Flushes for at most `flushTimeout`, fails whatever is still queued (each such send gets a ``KafkaError`` with code
    /// ``KafkaErrorCode/purgedFromQueue`` or ``KafkaErrorCode/purgedInFlight``), and stops the poll thread. Later sends
    /// fail with ``KafkaError/Kind/closed``. Safe to call more than once.
    ///
    /// - Parameter flushTimeout: how long queued messages get to be delivered before they are failed.
    public func shutdown(flushTimeout: Duration = .seconds(10)) async {
        let first = phase.withLock { phase -> Bool in
            guard case .running = phase else { return false }
            phase = .shuttingDown
            return true
        }
        guard first else { return }
        room.close()
        do {
            try await flush(timeout: flushTimeout)
        } catch {
            logger.warning("Producer shutdown: flush timed out; failing the messages still queued", metadata: ["error": "\(error)"])
        }
        let client = self.client
        let control = self.pollThread
        let serving = callbacks.serving
        await runBlocking {
            client.purgeAll()
            // Serve the purge reports so every pending send resolves.
            _ = serving.servingAlone { client.flush(timeoutMilliseconds: 5000) }
            control.requestStop()
            control.waitUntilExited()
        }
        callbacks.reports?.finish()
        phase.withLock { $0 = .closed }
    }

    /// Runs until graceful shutdown (or cancellation), then calls ``shutdown(flushTimeout:)``.
    ///
    /// - Throws: nothing of its own (the `Service` requirement throws).
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    // MARK: Enqueueing

    // `nonisolated(nonsending)` here and on the internal sends that lead here (`sendAndForget(_:messageID:)`, the
    // package overloads of `KafkaProducer+Observer.swift`, the traced producer's `sendDirect`): they run on their
    // caller's executor (the public sends' generic one), so a send is not a runtime executor switch at the entry and
    // return of each layer (8 `swift_task_switch` calls a traced message before, 2 after, counted with a uprobe).
    nonisolated(nonsending) func enqueue<Writer: KafkaHeaderWriter>(
        _ record: KafkaProducerRecord,
        headers writer: Writer = NoHeaderWriter(),
        context: DeliveryContext
    ) async throws(KafkaError) {
        while true {
            let generation = room.generation
            guard phase.withLock({ if case .running = $0 { true } else { false } }) else {
                throw KafkaError.closed("producer")
            }
            let opaque = context.passRetained()
            switch client.produce(record, writer: writer, opaque: opaque) {
            case .queued:
                callbacks.counters.enqueued.add(1, ordering: .relaxed)
                if callbacks.serving.countSend() { serveReportsHere(takingOver: true) }
                return
            case .queueFull:
                DeliveryContext.release(opaque)
                serveReportsHere(takingOver: false)
                await room.wait(after: generation)
                if Task.isCancelled { throw KafkaError.cancelledWaitingForRoom(record.topic) }
            case .failed(let error):
                DeliveryContext.release(opaque)
                throw error
            }
        }
    }

    /// Serves the delivery reports that are in, on this thread, unless the poll thread is serving (see
    /// `DeliveryReportServing`): without waiting, so a send never blocks on it.
    private func serveReportsHere(takingOver: Bool) {
        let client = self.client
        if callbacks.serving.serveIfIdle(takingOver: takingOver, { client.poll(timeoutMilliseconds: 0) }) > 0 { room.signal() }
    }
}
