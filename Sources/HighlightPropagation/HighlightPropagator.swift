public import Instrumentation
public import Logging
import W3CTraceContext

/// Propagates the highlight session (`x-highlight-request`), W3C `traceparent`/`tracestate` and W3C `baggage`
/// through any carrier that has an `Extractor` and an `Injector`.
///
/// Bootstrap it once, alone or before a tracer in a `MultiplexInstrument`:
///
/// ```swift
/// InstrumentationSystem.bootstrap(HighlightPropagator())
/// // or, with an OpenTelemetry tracer, so that the tracer's own traceparent wins on injection:
/// InstrumentationSystem.bootstrap(HighlightPropagator().combined(with: tracer))
/// ```
///
/// Extraction restores `ServiceContext.highlightRequest`, `ServiceContext.w3cTraceContext` and
/// `ServiceContext.baggage`. Each field stands alone: a refused baggage never costs the `traceparent`, and so on.
/// When `x-highlight-request` is absent or refused, a baggage member of that name (any case, percent-decoded) is used,
/// as highlight's Python SDK sends it. Every refusal is counted in ``statistics`` and logged at debug level without
/// its value.
///
/// Injection writes lowercase names and replaces earlier values (through the injector). By default the session is
/// mirrored into baggage, keeping the other members.
public struct HighlightPropagator: Instrument {
    /// How a ``HighlightPropagator`` behaves.
    public struct Configuration: Sendable {
        /// Write the session into a `x-highlight-request` baggage member on injection, for services whose SDK reads
        /// only baggage. Default: on.
        public var mirrorSessionIntoBaggage: Bool
        /// Forward the inbound `traceparent`/`tracestate` when no tracer writes its own. Default: on.
        public var forwardTraceContext: Bool
        /// Size limits.
        public var limits: PropagationLimits
        /// Where refusals are reported, at debug level. Header values are never logged.
        public var logger: Logger

        /// Creates a configuration; every argument has the default described on its property.
        ///
        /// - Parameters:
        ///   - mirrorSessionIntoBaggage: also write the session as a `baggage` member named `x-highlight-request`.
        ///   - forwardTraceContext: forward an inbound `traceparent`/`tracestate` when no tracer replaces it.
        ///   - limits: the largest values read and written.
        ///   - logger: where refusals are logged at debug level, without their values.
        public init(
            mirrorSessionIntoBaggage: Bool = true,
            forwardTraceContext: Bool = true,
            limits: PropagationLimits = .default,
            logger: Logger = Logger(label: "highlight.propagation")
        ) {
            self.mirrorSessionIntoBaggage = mirrorSessionIntoBaggage
            self.forwardTraceContext = forwardTraceContext
            self.limits = limits
            self.logger = logger
        }
    }

    /// The configuration and statistics behind one reference: a propagator is copied on every cast from
    /// `any Instrument` and every hand-over, and a copy of the fields themselves retained each of the configuration's
    /// references (the logger's among them), a large part of a Kafka message's extraction. Immutable: setting
    /// ``configuration`` makes a new one, so copies never share a change.
    private final class Storage: Sendable {
        let configuration: Configuration
        let statistics: PropagationStatistics

        init(configuration: Configuration, statistics: PropagationStatistics) {
            self.configuration = configuration
            self.statistics = statistics
        }
    }

    private var storage: Storage

    /// How this propagator behaves.
    public var configuration: Configuration {
        // Read in place: `configuration.limits` copies nothing else.
        _read { yield storage.configuration }
        set { storage = Storage(configuration: newValue, statistics: storage.statistics) }
    }

    /// Where this propagator counts extractions and refusals.
    public var statistics: PropagationStatistics { storage.statistics }

    /// Creates a propagator.
    ///
    /// - Parameters:
    ///   - configuration: what is mirrored and forwarded, and the limits.
    ///   - statistics: where extractions and refusals are counted.
    public init(configuration: Configuration = Configuration(), statistics: PropagationStatistics = .shared) {
        self.storage = Storage(configuration: configuration, statistics: statistics)
    }

    /// A `MultiplexInstrument` of this propagator followed by `tracer`, the order in which a tracer's `traceparent`
    /// replaces the forwarded one on injection.
    ///
    /// - Parameter tracer: the tracer whose spans continue the trace.
    /// - Returns: the instrument to bootstrap.
    public func combined(with tracer: any Instrument) -> MultiplexInstrument {
        MultiplexInstrument([self, tracer])
    }

    // MARK: Extract

    /// Reads `x-highlight-request` (or its baggage mirror), `traceparent`, `tracestate` and `baggage` from `carrier` into
    /// `context`; a refused value is left out and counted.
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
        let reader = CarrierReader(extractor: extractor, carrier: carrier)
        var forwarded: (context: ForwardedTraceContext?, rejections: [PropagationRejection])?
        if configuration.forwardTraceContext, let traceParent = reader.last(PropagationHeader.traceParent) {
            let traceState = reader.all(PropagationHeader.traceState)
            forwarded = W3CTraceContextParser.parseForwarding(
                traceParent: traceParent,
                traceState: traceState.isEmpty ? nil : traceState.count == 1 ? traceState[0] : traceState.joined(separator: ",")
            )
        }
        let baggage = reader.all(PropagationHeader.baggage)
        let session = resolveSession(
            request: reader.last(PropagationHeader.highlightRequest),
            baggage: baggage.count == 1 ? .one(baggage[0]) : baggage.isEmpty ? .none : .many(baggage)
        )
        restore(into: &context, session: session, forwarded: forwarded)
    }

    /// The values one carrier holds, as either carrier kind reads them.
    @usableFromInline
    enum InboundValues {
        case none
        case one(String)
        case many([String])
    }

    // MARK: Inject

    /// Writes the context's session, baggage (with the session mirrored when configured) and forwarded trace context into
    /// `carrier`, lowercase names, replacing earlier values; nothing the context does not hold.
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
        forEachOutgoingValue(of: context, bytes: false) { name, value in
            injector.inject(value.text, forKey: name, into: &carrier)
        }
    }

    /// Every header this propagator sends for `context`, in order: `x-highlight-request`, `traceparent`, `tracestate`,
    /// `baggage`. The one place the injection rules live, for both carrier kinds.
    ///
    /// - Parameter bytes: the carrier stores bytes (the shared values then hold theirs).
    func forEachOutgoingValue(of context: ServiceContext, bytes: Bool, _ emit: (String, OutgoingValue) -> Void) {
        let slot = context.slot
        forEachOutgoingValue(values: slot?.values, localSpan: slot?.span?.identity, bytes: bytes, emit)
    }

    /// The same, from a context's propagated values and local span, for a caller that holds them already (a span of
    /// this package's tracer keeps its parent's values): no lookup in a context.
    func forEachOutgoingValue(
        values propagated: PropagatedValuesBox?,
        localSpan local: SpanIdentity?,
        bytes: Bool,
        _ emit: (String, OutgoingValue) -> Void
    ) {
        guard local != nil || propagated != nil else { return }
        let outgoing = propagated?.outgoingHeaders(outgoingSettings, bytes: bytes)
        if let request = outgoing?.request { emit(PropagationHeader.highlightRequest, .shared(request)) }

        // This package's tracer's span is always sent; an inbound context only when forwarding is on.
        if let local {
            emit(PropagationHeader.traceParent, .traceParent(local))
            if let traceState = local.traceState { emit(PropagationHeader.traceState, .text(traceState)) }
        } else if let traceParent = outgoing?.forwardedTraceParent {
            emit(PropagationHeader.traceParent, .shared(traceParent))
            if let traceState = outgoing?.forwardedTraceState { emit(PropagationHeader.traceState, .shared(traceState)) }
        }
        guard let outgoing else { return }
        if let baggage = outgoing.baggage { emit(PropagationHeader.baggage, .shared(baggage)) }
        if outgoing.droppedBaggageMembers > 0 {
            statistics.recordDroppedOnInjection(outgoing.droppedBaggageMembers)
            configuration.logger.debug(
                "Dropped baggage members that did not fit the limits",
                metadata: ["dropped": "\(outgoing.droppedBaggageMembers)"]
            )
        }
    }

    /// The settings the values this propagator sends depend on.
    private var outgoingSettings: OutgoingHeaders.Settings {
        OutgoingHeaders.Settings(
            mirrorSessionIntoBaggage: configuration.mirrorSessionIntoBaggage,
            forwardTraceContext: configuration.forwardTraceContext,
            limits: configuration.limits
        )
    }
}
