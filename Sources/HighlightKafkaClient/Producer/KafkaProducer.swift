import CRDKafka
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

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
/// - Delivery reports are served by a dedicated thread blocked in `rd_kafka_poll`, never by a timer.
/// - As a swift-service-lifecycle `Service`, ``run()`` waits for graceful shutdown, then flushes and closes.
public final class KafkaProducer: Service, Sendable {
    /// The configuration the producer was created with.
    public let configuration: KafkaProducerConfiguration
    /// Reports of messages sent with ``sendAndForget(_:)``, in the order librdkafka delivers them. Finishes at shutdown,
    /// or at once when ``KafkaProducerConfiguration/deliveryReportBufferSize`` is 0.
    public let deliveryReports: AsyncStream<KafkaDeliveryReport>

    private let client: RDKafkaClient
    private let callbacks: ProducerCallbacks
    private let room = RoomSignal()
    private let pollThread = PollThreadControl()
    private let phase = Mutex<Phase>(.running)
    private let nextMessageID = Atomic<UInt64>(1)
    private let logger: Logger

    private enum Phase { case running, shuttingDown, closed }

    /// Creates a producer and starts its poll thread.
    ///
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

        let conf = try RDKafkaConfiguration.make(configuration.properties)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(callbacks).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf, ProducerCallbackEntryPoints.delivery)
        rd_kafka_conf_set_error_cb(conf, ProducerCallbackEntryPoints.error)
        self.client = try RDKafkaClient(type: RD_KAFKA_PRODUCER, conf: conf, callbackOwner: callbacks)

        let client = self.client
        let room = self.room
        let control = self.pollThread
        let thread = Thread {
            // Blocks in librdkafka until delivery reports arrive (or 100 ms pass, to notice a stop request).
            while !control.shouldStop {
                if rd_kafka_poll(client.handle, 100) > 0 { room.signal() }
            }
            control.markExited()
        }
        thread.name = "highlight-kafka-producer"
        control.markStarted()
        thread.start()
    }

    deinit {
        // A producer dropped without shutdown still resolves every message: purge what is left and serve the reports.
        pollThread.requestStop()
        pollThread.waitUntilExited()
        rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        _ = rd_kafka_flush(client.handle, 1000)
        room.close()
        callbacks.reports?.finish()
    }

    /// Counters of accepted, delivered and failed messages.
    public var statistics: KafkaProducerStatistics { callbacks.counters.snapshot }

    /// Sends a record and waits for the broker's acknowledgement.
    ///
    /// Waits for room when the local queue is full. Once the message is queued, cancelling the task does not
    /// un-send it: the call still returns its outcome.
    ///
    /// - Throws: ``KafkaError`` of kind ``KafkaError/Kind/delivery`` when the message was not delivered, or
    ///   ``KafkaError/Kind/closed`` after shutdown.
    @discardableResult
    public func send(_ record: KafkaProducerRecord) async throws(KafkaError) -> KafkaDeliveryReceipt {
        let pending = PendingDelivery(id: nextMessageID.add(1, ordering: .relaxed).oldValue, topic: record.topic, forgotten: false)
        try await enqueue(record, pending: pending)
        return try await pending.outcome().get()
    }

    /// Queues a record and returns its id at once; its outcome arrives on ``deliveryReports`` with that id.
    ///
    /// Waits for room when the local queue is full.
    @discardableResult
    public func sendAndForget(_ record: KafkaProducerRecord) async throws(KafkaError) -> UInt64 {
        let id = reserveMessageID()
        try await sendAndForget(record, messageID: id)
        return id
    }

    /// Queues a record like ``sendAndForget(_:)`` and calls `onDelivery` with its outcome.
    ///
    /// `onDelivery` runs exactly once for every message this call queued (at the latest when ``shutdown(flushTimeout:)``
    /// fails what is left), on the producer's poll thread, before the report is put on ``deliveryReports``: keep it
    /// short and never block in it. It does not run when this call throws (the message was not queued).
    @discardableResult
    public func sendAndForget(
        _ record: KafkaProducerRecord,
        onDelivery: @escaping @Sendable (Result<KafkaDeliveryReceipt, KafkaError>) -> Void
    ) async throws(KafkaError) -> UInt64 {
        let id = reserveMessageID()
        try await enqueue(record, pending: PendingDelivery(id: id, topic: record.topic, forgotten: true, onDelivery: onDelivery))
        return id
    }

    private func reserveMessageID() -> UInt64 {
        nextMessageID.add(1, ordering: .relaxed).oldValue
    }

    private func sendAndForget(_ record: KafkaProducerRecord, messageID: UInt64) async throws(KafkaError) {
        try await enqueue(record, pending: PendingDelivery(id: messageID, topic: record.topic, forgotten: true))
    }

    /// Waits until every queued message has been delivered or failed.
    ///
    /// - Throws: ``KafkaError`` with code ``KafkaErrorCode/timedOut`` when messages are still outstanding after `timeout`.
    public func flush(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let client = self.client
        let milliseconds = Int32(clamping: timeout.milliseconds)
        let code = await runBlocking { rd_kafka_flush(client.handle, milliseconds) }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let left = rd_kafka_outq_len(client.handle)
            throw KafkaError(
                kind: .delivery,
                code: KafkaErrorCode(code),
                message: "\(left) message(s) still outstanding after \(timeout); is the broker reachable?"
            )
        }
    }

    /// Flushes for at most `flushTimeout`, fails whatever is still queued (each such send gets a ``KafkaError`` with code
    /// ``KafkaErrorCode/purgedFromQueue`` or ``KafkaErrorCode/purgedInFlight``), and stops the poll thread. Later sends
    /// fail with ``KafkaError/Kind/closed``. Safe to call more than once.
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
        await runBlocking {
            rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            // Serve the purge reports so every pending send resolves.
            _ = rd_kafka_flush(client.handle, 5000)
            control.requestStop()
            control.waitUntilExited()
        }
        callbacks.reports?.finish()
        phase.withLock { $0 = .closed }
    }

    /// Runs until graceful shutdown (or cancellation), then calls ``shutdown(flushTimeout:)``.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    // MARK: Enqueueing

    private enum EnqueueOutcome {
        case queued
        case queueFull
        case failed(KafkaError)
    }

    private func enqueue(_ record: KafkaProducerRecord, pending: PendingDelivery) async throws(KafkaError) {
        while true {
            let generation = room.generation
            guard phase.withLock({ if case .running = $0 { true } else { false } }) else {
                throw KafkaError.closed("producer")
            }
            let opaque = Unmanaged.passRetained(pending).toOpaque()
            switch produce(record, opaque: opaque) {
            case .queued:
                callbacks.counters.enqueued.add(1, ordering: .relaxed)
                return
            case .queueFull:
                Unmanaged<PendingDelivery>.fromOpaque(opaque).release()
                await room.wait(after: generation)
            case .failed(let error):
                Unmanaged<PendingDelivery>.fromOpaque(opaque).release()
                throw error
            }
        }
    }

    private func produce(_ record: KafkaProducerRecord, opaque: UnsafeMutableRawPointer) -> EnqueueOutcome {
        // The message owns the header list only when produce succeeds (librdkafka issue 4627): destroy it otherwise.
        let headers = RDKafkaHeaders.make(record.headers)
        let error: OpaquePointer? = record.topic.withCString { topic in
            withOptionalBytes(record.key) { key in
                withOptionalBytes(record.value) { value in
                    // On the stack: this runs for every message.
                    withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 8) { fields in
                    var count = 0
                    func add(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
                        fields.initializeElement(at: count, to: rd_kafka_vu_t())
                        fields[count].vtype = type
                        set(&fields[count])
                        count += 1
                    }
                    add(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
                    add(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = record.partition ?? -1 }
                    add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                    add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
                    if let value {
                        add(RD_KAFKA_VTYPE_VALUE) {
                            $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress ?? UnsafeRawPointer(emptyValue))
                            $0.u.mem.size = value.count
                        }
                    }
                    if let key {
                        add(RD_KAFKA_VTYPE_KEY) {
                            $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress ?? UnsafeRawPointer(emptyValue))
                            $0.u.mem.size = key.count
                        }
                    }
                    if let headers { add(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers } }
                    if let timestamp = record.timestampMilliseconds { add(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp } }
                    return rd_kafka_produceva(client.handle, fields.baseAddress, count)
                    }
                }
            }
        }
        guard let error else { return .queued }
        if let headers { rd_kafka_headers_destroy(headers) }
        if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
            rd_kafka_error_destroy(error)
            return .queueFull
        }
        return .failed(KafkaError.consuming(error, kind: .delivery))
    }
}

/// Calls `body` with the bytes of `bytes`, or with `nil` when there are none (a null key or a tombstone).
func withOptionalBytes<Result>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> Result) -> Result {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
