import HighlightKafkaClient
import HighlightPropagation
import HighlightTracing
import Instrumentation

/// Kafka headers as a byte carrier to extract from: the propagator reads the names once and the values' bytes in
/// place. Same matching rules as ``KafkaHeadersExtractor``.
struct KafkaHeadersByteSource: PropagationByteSource {
    let headers: [KafkaHeader]

    var headerCount: Int { headers.count }

    func nameOfValuedHeader(at index: Int) -> String? {
        headers[index].value == nil ? nil : headers[index].name
    }

    func withValue<Result>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        headers[index].value!.withUnsafeBufferPointer(body)
    }

    /// A fresh context holding what `resolved` (an instrument already resolved, see
    /// `ServiceContext.resolvedInstrument`) extracts from `headers`: through the byte path when it is this package's
    /// propagator or tracer, through ``KafkaHeadersExtractor`` otherwise.
    static func extract(from headers: [KafkaHeader], resolved: any Instrument) -> ServiceContext {
        var context = ServiceContext.topLevel
        if let propagator = bytePropagator(resolved) {
            propagator.extractBytes(from: KafkaHeadersByteSource(headers: headers), into: &context)
        } else {
            resolved.extract(headers, into: &context, using: KafkaHeadersExtractor())
        }
        return context
    }

    /// The propagator behind `instrument` when the byte paths may stand in for it: this package's propagator, alone or
    /// inside its tracer (whose `extract` and `inject` are its propagator's). `nil` for any other instrument.
    static func bytePropagator(_ instrument: any Instrument) -> HighlightPropagator? {
        if let tracer = instrument as? HighlightTracer { return tracer.propagator }
        return instrument as? HighlightPropagator
    }
}
