import HighlightKafkaClient
import HighlightPropagation
import HighlightTracing
import Instrumentation

/// What a consumed message's headers carried, as the traced consumer keeps it until the handler runs. Through this
/// package's propagator (or tracer) it is the values an extraction restores, not yet a context: a span of this
/// package's tracer starts from them directly, so the span's context is the only one made per message, and the
/// extracted context is made when something reads it. Any other instrument gives a context.
enum ExtractedContext: Sendable {
    case context(ServiceContext)
    /// `tracer`: the bootstrapped tracer when it is this package's (the message's span starts through it), as the
    /// worker found it; `nil` when it was not found.
    case values(ExtractedValues, tracer: HighlightTracer?)

    /// What the worker's extracting instrument extracts from `headers`; the byte path reuses the session and
    /// baggage kept in `memo` when these headers send the same bytes (see `ByteExtractionMemo`).
    static func extract(from headers: [KafkaHeader], instruments: inout WorkerInstruments, memo: inout ByteExtractionMemo) -> ExtractedContext {
        instruments.update()
        let values = BytePath.withPropagator(of: instruments.extracting) { propagator in
            propagator.extractedValues(from: KafkaHeadersByteSource(headers: headers), memo: &memo)
        }
        if let values { return .values(values, tracer: instruments.tracer) }
        return .context(KafkaHeadersByteSource.extract(from: headers, resolved: instruments.extracting))
    }

    /// The extracted context: made on each read of extracted values.
    var context: ServiceContext {
        switch self {
        case .context(let context): context
        case .values(let values, _): values.context
        }
    }

    /// The session the message was produced under, if any.
    var highlightRequest: HighlightRequestContext? {
        switch self {
        case .context(let context): context.highlightRequest
        case .values(let values, _): values.request
        }
    }
}
