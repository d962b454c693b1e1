public import HighlightKafkaClient
import HighlightPropagation
public import Instrumentation
public import Logging
public import ServiceLifecycle
import Synchronization
import HighlightTracing
import Tracing

/// A `KafkaProducer` that sends the current session and trace with every message.
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
        /// The instrument used for injection; `nil` for `InstrumentationSystem.instrument`, looked up on every send
        /// until something is bootstrapped and kept from then on (a default `HighlightPropagator` until then).
        public var instrument: (any Instrument)?
        /// Start a `send <topic>` span for every record. Default on. Off, the current context (the caller's span,
        /// session and baggage) is injected as it is, and the consumer's span continues the caller's span: the
        /// session still travels with every message, and the producer costs a header injection per record instead of
        /// a span (see the README's Performance section for what each costs).
        public var createSpans: Bool

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - injectContext: write the current context into each record's headers.
        ///   - instrument: the instrument that injects; `nil` for the bootstrapped one.
        ///   - createSpans: a PRODUCER span `send <topic>` per record.
        public init(injectContext: Bool = true, instrument: (any Instrument)? = nil, createSpans: Bool = true) {
            self.injectContext = injectContext
            self.instrument = instrument
            self.createSpans = createSpans
        }
    }

    /// The plain producer underneath.
    public let producer: KafkaProducer
    /// How this producer traces.
    public let configuration: Configuration
    /// Reports of ``sendAndForget(_:injectContext:onDelivery:)`` messages (the plain producer's stream); their spans
    /// have ended when a report arrives here.
    public var deliveryReports: AsyncStream<KafkaDeliveryReport> { producer.deliveryReports }

    /// Worked out once: every span carries them.
    private let serverHost: String?
    /// `send <topic>` and the messaging attributes every span on the topic shares, made once per topic.
    let spanCache: MessagingSpanCache
    /// The instruments every record uses, kept once something is bootstrapped.
    let instruments: ProducerInstruments

    /// Wraps an existing producer.
    ///
    /// - Parameters:
    ///   - producer: the plain producer; keep sending through the wrapper only.
    ///   - configuration: injection and spans.
    public init(producer: KafkaProducer, configuration: Configuration = Configuration()) {
        self.producer = producer
        self.configuration = configuration
        self.serverHost = firstServerHost(producer.configuration.bootstrapServers)
        self.spanCache = MessagingSpanCache(operation: "send", clientID: producer.configuration.clientID, serverAddress: serverHost)
        self.instruments = ProducerInstruments(configured: configuration.instrument)
    }

    /// Creates the plain producer and wraps it.
    ///
    /// - Parameters:
    ///   - configuration: the plain producer's brokers and settings.
    ///   - tracing: injection and spans.
    ///   - logger: where the producer logs.
    /// - Throws: `KafkaError` naming the property librdkafka refused.
    public convenience init(
        configuration: KafkaProducerConfiguration,
        tracing: Configuration = Configuration(),
        logger: Logger = Logger(label: "highlight.kafka.producer")
    ) throws(KafkaError) {
        self.init(producer: try KafkaProducer(configuration: configuration, logger: logger), configuration: tracing)
    }

    /// Sends `record` in a `send <topic>` span with the current context in its headers, and waits for delivery.
    ///
    /// - Parameters:
    ///   - record: what to send; headers you set are kept, the propagated ones replaced.
    ///   - injectContext: overrides ``Configuration/injectContext`` for this record.
    /// - Returns: where the broker stored the record.
    /// - Throws: `KafkaError` when the record could not be queued or delivered.
    @discardableResult
    public func send(_ record: KafkaProducerRecord, injectContext: Bool? = nil) async throws(KafkaError) -> KafkaDeliveryReceipt {
        try await sendReportingHeaders(record, injectContext: injectContext).receipt
    }

    /// ``send(_:injectContext:)``, also returning the headers the record was sent with (the user's and the injected
    /// ones): what tools print to show what travelled.
    ///
    /// - Parameters:
    ///   - record: the record; headers of the same name as the injected ones are replaced.
    ///   - injectContext: overrides ``Configuration/injectContext`` for this record.
    /// - Returns: the broker's receipt and the headers sent.
    /// - Throws: `KafkaError` when the message was not delivered, or after shutdown.
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

    /// Queues `record` like ``send(_:injectContext:)`` but returns at once; the span ends when the outcome arrives,
    /// before it is reported on ``deliveryReports`` and to `onDelivery`.
    ///
    /// - Parameters:
    ///   - record: what to send; headers you set are kept, the propagated ones replaced.
    ///   - injectContext: overrides ``Configuration/injectContext`` for this record.
    ///   - onDelivery: called once with the outcome, on the producer's poll thread (see
    ///     `KafkaProducer.sendAndForget(_:onDelivery:)`): keep it short.
    /// - Returns: the record's id, as its delivery report carries it.
    /// - Throws: `KafkaError` when the record could not be queued.
    @discardableResult
    public func sendAndForget(
        _ record: KafkaProducerRecord,
        injectContext: Bool? = nil,
        onDelivery: (@Sendable (Result<KafkaDeliveryReceipt, KafkaError>) -> Void)? = nil
    ) async throws(KafkaError) -> UInt64 {
        // Without a closure to call, this package's span is told of the delivery itself, and its headers are
        // written into the message as it is queued.
        if onDelivery == nil, let id = try await sendDirect(record, injectContext: injectContext) { return id }
        let (span, traced) = startSpan(for: record, injectContext: injectContext)
        do {
            guard configuration.createSpans else {
                if let onDelivery { return try await producer.sendAndForget(traced, onDelivery: onDelivery) }
                return try await producer.sendAndForget(traced)
            }
            // Ended on the poll thread as the report is served: no task or lookup table per message.
            return try await producer.sendAndForget(traced) { result in
                Self.end(span, with: result)
                onDelivery?(result)
            }
        } catch {
            Self.end(span, with: .failure(error))
            throw error
        }
    }

    /// Waits for every queued message (see `KafkaProducer.flush(timeout:)`).
    ///
    /// - Parameter timeout: how long to wait.
    /// - Throws: `KafkaError` with code `timedOut` when messages are still outstanding after `timeout`.
    public func flush(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        try await producer.flush(timeout: timeout)
    }

    /// Shuts the plain producer down (see `KafkaProducer.shutdown(flushTimeout:)`); every span still open ends
    /// with the outcome its message gets there.
    ///
    /// - Parameter flushTimeout: how long queued messages get to be delivered before they are failed.
    public func shutdown(flushTimeout: Duration = .seconds(10)) async {
        await producer.shutdown(flushTimeout: flushTimeout)
    }

    /// Runs until graceful shutdown, then shuts down.
    ///
    /// - Throws: nothing of its own (the `Service` requirement throws).
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    // MARK: Spans

    private func startSpan(for record: KafkaProducerRecord, injectContext: Bool?) -> (any Span, KafkaProducerRecord) {
        let parent = ServiceContext.current ?? .topLevel
        // The injection's instrument and the bootstrapped one, kept once something is bootstrapped.
        let resolved = instruments.resolve()
        let injecting = resolved.injecting
        guard configuration.createSpans else {
            var traced = record
            if injectContext ?? configuration.injectContext { KafkaHeadersByteSink.inject(parent, into: &traced.headers, resolved: injecting) }
            return (NoOpTracer.NoOpSpan(context: parent), traced)
        }
        let bootstrapped = resolved.bootstrapped
        let inject = injectContext ?? configuration.injectContext
        var traced = record
        let spans = spanCache.entry(for: record.topic)
        switch MessageTracer.startSpan(spans.name, context: parent, ofKind: .producer, bootstrapped: bootstrapped) {
        case .highlight(let span):
            setMessaging(on: span, endpoint: spans.endpoint, for: record)
            // The span's context is the one that travels (the consumer's span continues this one), written from its
            // ids without making the context itself.
            if inject { KafkaHeadersByteSink.inject(parent, span: span, into: &traced.headers, resolved: injecting) }
            return (span, traced)
        case .other(let span):
            span.updateAttributes { attributes in
                attributes.setKafka(
                    operationType: "send",
                    operationName: "send",
                    topic: record.topic,
                    clientID: producer.configuration.clientID,
                    server: serverHost
                )
                attributes.setKafkaKey(record.key)
                attributes[MessagingAttribute.bodySize] = record.value?.count ?? 0
                if let partition = record.partition { attributes[MessagingAttribute.partitionID] = "\(partition)" }
            }
            span.setHighlightSession(from: parent)
            if inject { KafkaHeadersByteSink.inject(span.context, into: &traced.headers, resolved: injecting) }
            return (span, traced)
        }
    }

    /// Ends this package's span with its message's outcome: the typed fields, no cast.
    static func end(_ span: HighlightSpan, with result: Result<KafkaDeliveryReceipt, KafkaError>) {
        switch result {
        case .success(let receipt): span.endDelivered(partition: receipt.partition, offset: receipt.offset)
        case .failure(let error):
            recordFailure(error, on: span)
            span.end()
        }
    }

    static func end(_ span: any Span, with result: Result<KafkaDeliveryReceipt, KafkaError>) {
        if let span = span as? HighlightSpan { return end(span, with: result) }
        switch result {
        case .success(let receipt):
            span.updateAttributes { attributes in
                attributes[MessagingAttribute.partitionID] = "\(receipt.partition)"
                attributes[MessagingAttribute.offset] = Int(receipt.offset)
            }
        case .failure(let error): recordFailure(error, on: span)
        }
        span.end()
    }

    private static func recordFailure(_ error: KafkaError, on span: any Span) {
        span.recordError(error)
        span.setStatus(SpanStatus(code: .error, message: error.description))
    }
}
