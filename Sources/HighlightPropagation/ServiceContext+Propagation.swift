public import HTTPTypes
public import Instrumentation
import Tracing
public import W3CTraceContext

extension ServiceContext {
    /// A fresh context holding what `instrument` extracts from `carrier`.
    ///
    /// - Parameters:
    ///   - carrier: what the values are read from (headers, metadata, a dictionary).
    ///   - extractor: how to read a value of `carrier` by its key.
    ///   - instrument: the instrument to use; by default the one bootstrapped in `InstrumentationSystem`,
    ///     resolved on every call. When nothing was bootstrapped, a default ``HighlightPropagator`` is used, so the
    ///     highlight context is never silently lost.
    /// - Returns: a context holding the session, trace context and baggage found; empty when none was.
    ///
    /// ```swift
    /// let context = ServiceContext.extract(from: message.headers, using: MyHeadersExtractor())
    /// try await ServiceContext.withValue(context) { try await handle(message) }
    /// ```
    public static func extract<Extract: Extractor>(
        from carrier: Extract.Carrier,
        using extractor: Extract,
        instrument: (any Instrument)? = nil
    ) -> ServiceContext {
        var context = ServiceContext.topLevel
        resolvedInstrument(instrument).extract(carrier, into: &context, using: extractor)
        return context
    }

    /// A fresh context holding what is propagated in a `[String: String]` carrier.
    ///
    /// - Parameters:
    ///   - carrier: header names (any case) and values.
    ///   - instrument: the instrument that extracts; `nil` for the bootstrapped one (a default ``HighlightPropagator`` when
    ///     nothing was bootstrapped).
    /// - Returns: a top-level context with what the carrier held; refused values are left out.
    public static func extract(from carrier: [String: String], instrument: (any Instrument)? = nil) -> ServiceContext {
        extract(from: carrier, using: DictionaryExtractor(), instrument: instrument)
    }

    /// A fresh context holding what is propagated in HTTP fields.
    ///
    /// - Parameters:
    ///   - carrier: the request's header fields.
    ///   - instrument: the instrument that extracts; `nil` for the bootstrapped one.
    /// - Returns: a top-level context with what the fields held; refused values are left out.
    public static func extract(from carrier: HTTPFields, instrument: (any Instrument)? = nil) -> ServiceContext {
        extract(from: carrier, using: HTTPFieldsExtractor(), instrument: instrument)
    }

    /// Writes this context into `carrier` through `instrument` (by default the bootstrapped one, or a default
    /// ``HighlightPropagator`` when nothing was bootstrapped).
    ///
    /// - Parameters:
    ///   - carrier: where the headers are written.
    ///   - injector: writes one value into `carrier`.
    ///   - instrument: the instrument that injects; `nil` for the bootstrapped one.
    public func inject<Inject: Injector>(
        into carrier: inout Inject.Carrier,
        using injector: Inject,
        instrument: (any Instrument)? = nil
    ) {
        Self.resolvedInstrument(instrument).inject(self, into: &carrier, using: injector)
    }

    /// Writes the current task's context (`ServiceContext.current`) into `carrier`; does nothing outside any context.
    ///
    /// ```swift
    /// var headers: [String: String] = [:]
    /// ServiceContext.injectCurrent(into: &headers, using: DictionaryInjector())
    /// ```
    ///
    /// - Parameters:
    ///   - carrier: where the headers are written.
    ///   - injector: writes one value into `carrier`.
    ///   - instrument: the instrument that injects; `nil` for the bootstrapped one.
    public static func injectCurrent<Inject: Injector>(
        into carrier: inout Inject.Carrier,
        using injector: Inject,
        instrument: (any Instrument)? = nil
    ) {
        guard let current = ServiceContext.current else { return }
        current.inject(into: &carrier, using: injector, instrument: instrument)
    }

    /// Writes the current task's context into a `[String: String]` carrier.
    ///
    /// - Parameters:
    ///   - carrier: where the headers are written (lowercase names, replacing earlier values).
    ///   - instrument: the instrument that injects; `nil` for the bootstrapped one.
    public static func injectCurrent(into carrier: inout [String: String], instrument: (any Instrument)? = nil) {
        injectCurrent(into: &carrier, using: DictionaryInjector(), instrument: instrument)
    }

    /// Writes the current task's context into HTTP fields.
    ///
    /// - Parameters:
    ///   - carrier: where the header fields are written, replacing earlier values.
    ///   - instrument: the instrument that injects; `nil` for the bootstrapped one.
    public static func injectCurrent(into carrier: inout HTTPFields, instrument: (any Instrument)? = nil) {
        injectCurrent(into: &carrier, using: HTTPFieldsInjector(), instrument: instrument)
    }

    /// The W3C trace context this context would send to the next hop: the active span's when a tracer is
    /// bootstrapped, the forwarded inbound one otherwise. Tools use it to print trace and span ids whatever tracer
    /// is in use.
    ///
    /// - Parameter instrument: the instrument that would inject; `nil` for the bootstrapped one.
    /// - Returns: the trace id, span id, flags and state sent onward, or `nil` when no trace context would be sent.
    public func outgoingTraceContext(instrument: (any Instrument)? = nil) -> TraceContext? {
        var carrier: [String: String] = [:]
        inject(into: &carrier, using: DictionaryInjector(), instrument: instrument)
        guard let traceParent = carrier[PropagationHeader.traceParent] else { return nil }
        return W3CTraceContextParser.parse(traceParent: traceParent, traceState: carrier[PropagationHeader.traceState]).traceContext
    }

    /// The instrument to use: `instrument` when given, else the bootstrapped one, else (nothing bootstrapped) a
    /// default ``HighlightPropagator`` so the highlight context is never silently dropped.
    package static func resolvedInstrument(_ instrument: (any Instrument)?) -> any Instrument {
        instrument ?? resolvedInstrument(nil, bootstrapped: InstrumentationSystem.instrument)
    }

    /// The same, with the bootstrapped instrument already read.
    package static func resolvedInstrument(_ instrument: (any Instrument)?, bootstrapped: any Instrument) -> any Instrument {
        if let instrument { return instrument }
        return isNoOp(bootstrapped) ? HighlightPropagator.fallback : bootstrapped
    }

    /// Whether `instrument` is one of swift-distributed-tracing's no-ops, which `InstrumentationSystem` holds until
    /// something is bootstrapped.
    package static func isNoOp(_ instrument: any Instrument) -> Bool {
        // Both are structs, so comparing the dynamic type is exact; `is` would run a dynamic cast on every message
        // (profiled at 0.6% of a consumer's CPU).
        let instrumentType = type(of: instrument)
        return instrumentType == NoOpInstrument.self || instrumentType == NoOpTracer.self
    }
}

extension HighlightPropagator {
    /// Used by the conveniences when nothing was bootstrapped; held boxed once, so resolving it allocates nothing.
    static let fallback: any Instrument = HighlightPropagator()
}
