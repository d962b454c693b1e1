import HighlightPropagation
import HighlightTracing
import Instrumentation
import Tracing

/// Starts the span of one message through the bootstrapped tracer, resolved on every call. When that tracer is this
/// package's, it is called directly and its span comes back as itself: `InstrumentationSystem.tracer` casts the
/// instrument to `any Tracer` on every call (7% of the traced producer's profile), and a cast of `any Span` back to
/// the concrete span is another dynamic cast per message.
enum MessageTracer {
    /// A started span: this package's (whose typed fields the Kafka layer sets), or another tracer's.
    enum Started {
        case highlight(HighlightSpan)
        case other(any Span)

        var span: any Span {
            switch self {
            case .highlight(let span): span
            case .other(let span): span
            }
        }

        /// The span's context, made in `reusable` when it fits (see ``ReusableSpanContext``).
        func context(reusing reusable: inout ReusableSpanContext) -> ServiceContext {
            switch self {
            case .highlight(let span): span.context(reusing: &reusable)
            case .other(let span): span.context
            }
        }
    }

    /// - Parameter bootstrapped: `InstrumentationSystem.instrument`, when the caller has already read it.
    static func startSpan(
        _ name: String,
        context: ServiceContext,
        ofKind kind: SpanKind,
        bootstrapped: any Instrument = InstrumentationSystem.instrument
    ) -> Started {
        if let tracer = bootstrapped.exactly(HighlightTracer.self) {
            return .highlight(tracer.startSpan(name, context: context, ofKind: kind))
        }
        return .other(InstrumentationSystem.tracer.startSpan(name, context: context, ofKind: kind))
    }

    /// The same, in the context a message carried: through this package's tracer (the one the consumer's worker
    /// found, or the bootstrapped one read now), started from the extracted values without making that context (see
    /// ``ExtractedContext``).
    static func startSpan(_ name: String, extracted: ExtractedContext, ofKind kind: SpanKind) -> Started {
        // A `switch`, not `guard case`: the pattern of a `guard case` copied the values and the tracer (four retains
        // and four releases per message); a `switch` reads them in place.
        switch extracted {
        case .values(let values, let found):
            if let tracer = found ?? InstrumentationSystem.instrument.exactly(HighlightTracer.self) {
                return .highlight(tracer.startSpan(name, extracted: values, ofKind: kind))
            }
            return startSpan(name, context: values.context, ofKind: kind)
        case .context(let context):
            return startSpan(name, context: context, ofKind: kind)
        }
    }
}
