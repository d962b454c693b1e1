public import HighlightKafkaClient
import HighlightPropagation
public import Instrumentation

extension ServiceContext {
    /// A fresh context holding what is propagated in Kafka message headers.
    ///
    /// When `instrument` (by default the bootstrapped one) is this package's `HighlightPropagator` or
    /// `HighlightTracer`, the headers' bytes are read directly, with no intermediate `String` for what the context
    /// does not keep; any other instrument reads them through ``KafkaHeadersExtractor``. Both give the same context.
    ///
    /// ```swift
    /// let context = ServiceContext.extract(from: message.headers)
    /// try await ServiceContext.withValue(context) { try await handle(message) }
    /// ```
    ///
    /// - Parameters:
    ///   - headers: the message's headers.
    ///   - instrument: the instrument that extracts; `nil` for the bootstrapped one.
    /// - Returns: a top-level context with what the headers held; refused values are left out.
    public static func extract(from headers: [KafkaHeader], instrument: (any Instrument)? = nil) -> ServiceContext {
        KafkaHeadersByteSource.extract(from: headers, resolved: resolvedInstrument(instrument))
    }

    /// Writes this context into Kafka message headers, replacing earlier headers of the names written. This package's
    /// instruments write the bytes directly (a span's `traceparent` is formatted straight into the header); any other
    /// goes through ``KafkaHeadersInjector``.
    ///
    /// ```swift
    /// var headers: [KafkaHeader] = []
    /// ServiceContext.current?.inject(into: &headers)
    /// ```
    ///
    /// - Parameters:
    ///   - headers: the record's headers.
    ///   - instrument: the instrument that injects; `nil` for the bootstrapped one.
    public func inject(into headers: inout [KafkaHeader], instrument: (any Instrument)? = nil) {
        KafkaHeadersByteSink.inject(self, into: &headers, resolved: Self.resolvedInstrument(instrument))
    }
}
