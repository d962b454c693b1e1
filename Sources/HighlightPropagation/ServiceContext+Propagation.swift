public import HTTPTypes
public import Instrumentation
import Tracing

extension ServiceContext {
    /// A fresh context holding what `instrument` extracts from `carrier`.
    ///
    /// - Parameter instrument: the instrument to use; by default the one bootstrapped in `InstrumentationSystem`,
    ///   resolved on every call. When nothing was bootstrapped, a default ``HighlightPropagator`` is used, so the
    ///   highlight context is never silently lost.
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
        resolve(instrument).extract(carrier, into: &context, using: extractor)
        return context
    }

    /// A fresh context holding what is propagated in a `[String: String]` carrier.
    public static func extract(from carrier: [String: String], instrument: (any Instrument)? = nil) -> ServiceContext {
        extract(from: carrier, using: DictionaryExtractor(), instrument: instrument)
    }

    /// A fresh context holding what is propagated in HTTP fields.
    public static func extract(from carrier: HTTPFields, instrument: (any Instrument)? = nil) -> ServiceContext {
        extract(from: carrier, using: HTTPFieldsExtractor(), instrument: instrument)
    }

    /// Writes this context into `carrier` through `instrument` (by default the bootstrapped one, or a default
    /// ``HighlightPropagator`` when nothing was bootstrapped).
    public func inject<Inject: Injector>(
        into carrier: inout Inject.Carrier,
        using injector: Inject,
        instrument: (any Instrument)? = nil
    ) {
        Self.resolve(instrument).inject(self, into: &carrier, using: injector)
    }

    /// Writes the current task's context (`ServiceContext.current`) into `carrier`; does nothing outside any context.
    ///
    /// ```swift
    /// var headers: [String: String] = [:]
    /// ServiceContext.injectCurrent(into: &headers, using: DictionaryInjector())
    /// ```
    public static func injectCurrent<Inject: Injector>(
        into carrier: inout Inject.Carrier,
        using injector: Inject,
        instrument: (any Instrument)? = nil
    ) {
        guard let current = ServiceContext.current else { return }
        current.inject(into: &carrier, using: injector, instrument: instrument)
    }

    /// Writes the current task's context into a `[String: String]` carrier.
    public static func injectCurrent(into carrier: inout [String: String], instrument: (any Instrument)? = nil) {
        injectCurrent(into: &carrier, using: DictionaryInjector(), instrument: instrument)
    }

    /// Writes the current task's context into HTTP fields.
    public static func injectCurrent(into carrier: inout HTTPFields, instrument: (any Instrument)? = nil) {
        injectCurrent(into: &carrier, using: HTTPFieldsInjector(), instrument: instrument)
    }

    private static func resolve(_ instrument: (any Instrument)?) -> any Instrument {
        if let instrument { return instrument }
        let bootstrapped = InstrumentationSystem.instrument
        if bootstrapped is NoOpInstrument || bootstrapped is NoOpTracer { return HighlightPropagator.fallback }
        return bootstrapped
    }
}

extension HighlightPropagator {
    /// Used by the conveniences when nothing was bootstrapped.
    static let fallback = HighlightPropagator()
}
