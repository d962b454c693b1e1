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
        headers[index].hasValue ? headers[index].name : nil
    }

    func withValue(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        headers[index].withValueBytes { body($0!) }
    }

    /// A fresh context holding what `resolved` (an instrument already resolved, see
    /// `ServiceContext.resolvedInstrument`) extracts from `headers`: through the byte path when it is this package's
    /// propagator or tracer, through ``KafkaHeadersExtractor`` otherwise.
    static func extract(from headers: [KafkaHeader], resolved: any Instrument) -> ServiceContext {
        var context = ServiceContext.topLevel
        let extracted: Void? = BytePath.withPropagator(of: resolved) { propagator in
            propagator.extractBytes(from: KafkaHeadersByteSource(headers: headers), into: &context)
        }
        if extracted == nil {
            resolved.extract(headers, into: &context, using: KafkaHeadersExtractor())
        }
        return context
    }
}
