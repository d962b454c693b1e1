public import HighlightPropagation
public import Instrumentation
public import Tracing

/// A `Tracer` of swift-distributed-tracing built for a span per message: starting a span draws its ids from a
/// counter (no system call), the parent and the session are read from the context with one lookup, and ending it
/// appends it to a bounded queue, never waiting and never hopping to another task. An exporter takes the queue once
/// per batch (`Highlight` sets one up in `H.bootstrap`); when the queue is full, spans are dropped and counted.
///
/// It is also the instrument: extraction and injection are `HighlightPropagator`'s (session, `traceparent`,
/// `tracestate`, baggage), and the `traceparent` it injects is its active span's. Bootstrap it alone:
///
/// ```swift
/// InstrumentationSystem.bootstrap(tracer)  // what H.bootstrap does
/// try await withSpan("charge") { span in
///     span.attributes["order.id"] = "42"   // exported with highlight.session_id when a session is in the context
/// }
/// ```
///
/// Every recorded span carries `highlight.session_id` and `highlight.trace_id` when its context holds a session, so
/// a session's view in highlight shows the work it caused.
///
/// A final class: the Kafka layer checks the bootstrapped instrument for it on every message, and a cast of an
/// existential to a class copies one reference where a struct's would copy (and retain) every field.
public final class HighlightTracer: Tracer {
    /// The spans this tracer makes.
    public typealias Span = HighlightSpan

    /// How spans are sampled and bounded.
    public struct Configuration: Sendable {
        /// Which spans are recorded. Default `.parentBased(root: .always)`: every new trace, and every continued trace
        /// whose caller sampled it.
        public var sampler: HighlightSampler
        /// Bounds per span.
        public var limits: SpanLimits
        /// How the session, trace context and baggage are propagated.
        public var propagation: HighlightPropagator.Configuration

        /// Creates a configuration; every argument has the default described on its property.
        ///
        /// - Parameters:
        ///   - sampler: which spans are recorded.
        ///   - limits: how much one span keeps.
        ///   - propagation: how contexts are read and written.
        public init(
            sampler: HighlightSampler = .parentBased(root: .always),
            limits: SpanLimits = SpanLimits(),
            propagation: HighlightPropagator.Configuration = HighlightPropagator.Configuration()
        ) {
            self.sampler = sampler
            self.limits = limits
            self.propagation = propagation
        }
    }

    /// Where ended spans go.
    package final class Pipeline: Sendable {
        package let queue: TelemetryQueue<HighlightSpan>
        let limits: SpanLimits

        package init(queue: TelemetryQueue<HighlightSpan>, limits: SpanLimits) {
            self.queue = queue
            self.limits = limits
        }
    }

    /// The configuration this tracer was made with.
    public let configuration: Configuration
    /// The propagator that extracts and injects for it.
    public let propagator: HighlightPropagator
    private let pipeline: Pipeline?
    private let ids: SpanIDGenerator
    private let flush: @Sendable () -> Void

    /// A tracer whose ended spans go to `queue` (`nil`: spans are made, sampled and propagated, and nothing is
    /// recorded), and
    /// whose `forceFlush()` calls `flush`.
    public convenience init(
        configuration: Configuration = Configuration(),
        queue: TelemetryQueue<HighlightSpan>?,
        flush: @escaping @Sendable () -> Void = {}
    ) {
        self.init(configuration: configuration, queue: queue, ids: SpanIDGenerator(), flush: flush)
    }

    /// The same, with ids from `ids` (deterministic ones in tests).
    package init(
        configuration: Configuration,
        queue: TelemetryQueue<HighlightSpan>?,
        ids: SpanIDGenerator,
        flush: @escaping @Sendable () -> Void
    ) {
        self.configuration = configuration
        self.propagator = HighlightPropagator(configuration: configuration.propagation)
        self.pipeline = queue.map { Pipeline(queue: $0, limits: configuration.limits) }
        self.ids = ids
        self.flush = flush
    }

    /// Starts a span, child of the span in `context` when there is one; sampled by ``Configuration/sampler``.
    ///
    /// - Parameters:
    ///   - operationName: the span's name.
    ///   - context: the parent context.
    ///   - kind: server, client, producer, consumer or internal.
    ///   - instant: when the span starts.
    ///   - function: the calling function.
    ///   - fileID: the calling file.
    ///   - line: the calling line.
    /// - Returns: the span; end it once.
    public func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> ServiceContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> HighlightSpan {
        let parentContext = context()
        let (parent, values) = parentContext.traceParentAndValues
        return start(operationName, kind: kind, parentContext: parentContext, parent: parent, values: values, at: instant())
    }

    /// Starts a span in the context an extraction would give `extracted` (a child of its inbound trace, carrying its
    /// session and baggage), without that context being made: the span's own ``HighlightSpan/context`` is the one
    /// context made. Equal to starting it in `extracted.context`, but for one thing no reader sees: the span keeps the
    /// session and baggage (shared by the messages of one session, see `ExtractedValues`) without the inbound trace
    /// context, which it replaces as the trace parent of everything it propagates.
    ///
    /// - Parameters:
    ///   - operationName: the span's name.
    ///   - extracted: what the byte path extracted from the carrier.
    ///   - kind: server, client, producer, consumer or internal.
    /// - Returns: the span; end it once.
    package func startSpan(_ operationName: String, extracted: ExtractedValues, ofKind kind: SpanKind) -> HighlightSpan {
        start(operationName, kind: kind, parentContext: .topLevel, parent: extracted.traceParent, values: extracted.session, at: DefaultTracerClock.now)
    }

    /// Starts a span whose parent context is `parentContext`, read as `parent` and `values`.
    private func start<Instant: TracerInstant>(
        _ operationName: String,
        kind: SpanKind,
        parentContext: ServiceContext,
        parent: SpanIdentity?,
        values: PropagatedValuesBox?,
        at instant: @autoclosure () -> Instant
    ) -> HighlightSpan {
        let high = parent?.traceIDHigh ?? ids.next()
        let low = parent?.traceIDLow ?? ids.next()
        let sampled = configuration.sampler.isSampled(traceIDLow: low, parentFlags: parent?.flags)
        // A trace started here has random ids: W3C level 2's random-trace-id flag (bit 1). A continued trace keeps its
        // caller's flags but for `sampled`, which is this decision.
        let flags = (parent?.flags ?? 0x02) & ~1 | (sampled ? 1 : 0)
        let identity = SpanIdentity(traceIDHigh: high, traceIDLow: low, spanID: ids.next(), flags: flags, traceState: parent?.traceState)
        return HighlightSpan(
            operationName: operationName,
            kind: kind,
            parentContext: parentContext,
            identity: identity,
            parentSpanID: parent?.spanID ?? 0,
            // Only a recorded span's times are ever read: an unsampled one skips the clock.
            startNanoseconds: sampled && pipeline != nil ? instant().nanosecondsSinceEpoch : 0,
            parentValues: values,
            pipeline: sampled ? pipeline : nil
        )
    }

    /// Asks the exporter to send what is queued now, without waiting for its timer.
    public func forceFlush() {
        flush()
    }

    /// Extracts as `HighlightPropagator` does (the inbound trace context becomes the parent of the next span).
    ///
    /// - Parameters:
    ///   - carrier: the inbound headers.
    ///   - context: the context to fill.
    ///   - extractor: reads one value of `carrier` by name.
    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier,
        into context: inout ServiceContext,
        using extractor: Extract
    ) where Extract.Carrier == Carrier {
        propagator.extract(carrier, into: &context, using: extractor)
    }

    /// Injects as `HighlightPropagator` does, with the active span's `traceparent` in place of the forwarded one.
    ///
    /// - Parameters:
    ///   - context: the context to send.
    ///   - carrier: the outbound headers.
    ///   - injector: writes one value into `carrier`.
    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext,
        into carrier: inout Carrier,
        using injector: Inject
    ) where Inject.Carrier == Carrier {
        propagator.inject(context, into: &carrier, using: injector)
    }
}
