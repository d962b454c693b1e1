public import HighlightKafkaClient
import HighlightPropagation
public import Instrumentation
public import Logging
public import ServiceLifecycle
import Synchronization
import Tracing

/// A ``KafkaProducer`` that sends the current session and trace with every message.
///
/// Each send runs in a PRODUCER span `send <topic>` (OpenTelemetry messaging conventions), and the span's context,
/// which holds the current `ServiceContext`'s highlight session, baggage and trace, is injected into the record's
/// headers through the bootstrapped instrument. The user's own headers are kept; propagated ones are replaced. The
/// span ends when the delivery report arrives, with the error recorded on failure.
///
/// ```swift
/// let producer = try TracedKafkaProducer(configuration: .init(bootstrapServers: ["localhost:9092"]))
/// // inside a request handler, where ServiceContext.current holds the browser's session:
/// try await producer.send(KafkaProducerRecord(topic: "orders", key: order.id, value: order.json))
/// ```
public final class TracedKafkaProducer: Service, Sendable {
    /// How the traced producer behaves.
    public struct Configuration: Sendable {
        /// Inject the current context into every record's headers. Default on; ``TracedKafkaProducer/send(_:injectContext:)``
        /// can turn it off per record.
        public var injectContext: Bool
        /// The instrument used for injection; `nil` resolves `InstrumentationSystem.instrument` on every send (a
        /// default `HighlightPropagator` when nothing was bootstrapped).
        public var instrument: (any Instrument)?

        /// Creates a configuration.
        public init(injectContext: Bool = true, instrument: (any Instrument)? = nil) {
            self.injectContext = injectContext
            self.instrument = instrument
        }
    }

    /// The plain producer underneath.
    public let producer: KafkaProducer
    /// How this producer traces.
    public let configuration: Configuration
    /// Reports of ``sendAndForget(_:injectContext:)`` messages; their spans have ended when a report arrives here.
    public let deliveryReports: AsyncStream<KafkaDeliveryReport>

    private let pendingSpans: PendingSpans
    private let forwarder: Task<Void, Never>

    /// Wraps an existing producer.
    public init(producer: KafkaProducer, configuration: Configuration = Configuration()) {
        self.producer = producer
        self.configuration = configuration
        let pendingSpans = PendingSpans()
        self.pendingSpans = pendingSpans
        let (reports, continuation) = AsyncStream.makeStream(
            of: KafkaDeliveryReport.self,
            bufferingPolicy: .bufferingNewest(max(1, producer.configuration.deliveryReportBufferSize))
        )
        self.deliveryReports = reports
        // Ends fire-and-forget spans as their reports arrive, then passes the reports on.
        let plainReports = producer.deliveryReports
        self.forwarder = Task {
            for await report in plainReports {
                if let span = pendingSpans.take(report.messageID) { Self.end(span, with: report.result) }
                continuation.yield(report)
            }
            for span in pendingSpans.takeAll() {
                Self.end(span, with: .failure(KafkaError(kind: .closed, code: .state, message: "producer shut down before the report arrived")))
            }
            continuation.finish()
        }
    }

    /// Creates the plain producer and wraps it.
    public convenience init(
        configuration: KafkaProducerConfiguration,
        tracing: Configuration = Configuration(),
        logger: Logger = Logger(label: "highlight.kafka.producer")
    ) throws(KafkaError) {
        self.init(producer: try KafkaProducer(configuration: configuration, logger: logger), configuration: tracing)
    }

    /// Sends `record` in a `send <topic>` span with the current context in its headers, and waits for delivery.
    ///
    /// - Parameter injectContext: overrides ``Configuration/injectContext`` for this record.
    @discardableResult
    public func send(_ record: KafkaProducerRecord, injectContext: Bool? = nil) async throws(KafkaError) -> KafkaDeliveryReceipt {
        try await sendReportingHeaders(record, injectContext: injectContext).receipt
    }

    /// ``send(_:injectContext:)``, also returning the headers the record was sent with (the user's and the injected
    /// ones): what tools print to show what travelled.
    public func sendReportingHeaders(
        _ record: KafkaProducerRecord,
        injectContext: Bool? = nil
    ) async throws(KafkaError) -> (receipt: KafkaDeliveryReceipt, headers: [KafkaHeader]) {
        let (span, traced) = startSpan(for: record, injectContext: injectContext)
        do {
            let receipt = try await producer.send(traced)
            Self.end(span, with: .success(receipt))
            return (receipt, traced.headers)
        } catch {
            Self.end(span, with: .failure(error))
            throw error
        }
    }

    /// Queues `record` like ``send(_:injectContext:)`` but returns at once; the span ends when the report arrives on
    /// ``deliveryReports``.
    @discardableResult
    public func sendAndForget(_ record: KafkaProducerRecord, injectContext: Bool? = nil) async throws(KafkaError) -> UInt64 {
        let (span, traced) = startSpan(for: record, injectContext: injectContext)
        // The span is filed under its id before the message is queued, so the report always finds it.
        let id = producer.reserveMessageID()
        pendingSpans.register(span, id: id)
        do {
            try await producer.sendAndForget(traced, messageID: id)
            return id
        } catch {
            _ = pendingSpans.take(id)
            Self.end(span, with: .failure(error))
            throw error
        }
    }

    /// Waits for every queued message (see ``KafkaProducer/flush(timeout:)``).
    public func flush(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        try await producer.flush(timeout: timeout)
    }

    /// Shuts the plain producer down (see ``KafkaProducer/shutdown(flushTimeout:)``) and ends the remaining spans.
    public func shutdown(flushTimeout: Duration = .seconds(10)) async {
        await producer.shutdown(flushTimeout: flushTimeout)
        await forwarder.value
    }

    /// Runs until graceful shutdown, then shuts down.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    // MARK: Spans

    private func startSpan(for record: KafkaProducerRecord, injectContext: Bool?) -> (any Span, KafkaProducerRecord) {
        let parent = ServiceContext.current ?? .topLevel
        let span = InstrumentationSystem.tracer.startSpan("send \(record.topic)", context: parent, ofKind: .producer)
        span.updateAttributes { attributes in
            attributes.setKafka(
                operationType: "send",
                operationName: "send",
                topic: record.topic,
                clientID: producer.configuration.clientID,
                server: firstServerHost(producer.configuration.bootstrapServers)
            )
            attributes.setKafkaKey(record.key)
            attributes[MessagingAttribute.bodySize] = record.value?.count ?? 0
            if let partition = record.partition { attributes[MessagingAttribute.partitionID] = "\(partition)" }
        }
        var traced = record
        if injectContext ?? configuration.injectContext {
            // The span's context is the one that travels: the consumer's span continues this one.
            span.context.inject(into: &traced.headers, using: KafkaHeadersInjector(), instrument: configuration.instrument)
        }
        return (span, traced)
    }

    private static func end(_ span: any Span, with result: Result<KafkaDeliveryReceipt, KafkaError>) {
        switch result {
        case .success(let receipt):
            span.updateAttributes { attributes in
                attributes[MessagingAttribute.partitionID] = "\(receipt.partition)"
                attributes[MessagingAttribute.offset] = Int(receipt.offset)
            }
        case .failure(let error):
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error, message: error.description))
        }
        span.end()
    }
}

/// Spans of fire-and-forget messages, by message id, until their reports arrive.
final class PendingSpans: Sendable {
    private let spans = Mutex<[UInt64: any Span]>([:])

    func register(_ span: any Span, id: UInt64) {
        spans.withLock { $0[id] = span }
    }

    func take(_ id: UInt64) -> (any Span)? {
        spans.withLock { $0.removeValue(forKey: id) }
    }

    func takeAll() -> [any Span] {
        spans.withLock { spans in
            defer { spans.removeAll() }
            return Array(spans.values)
        }
    }
}
