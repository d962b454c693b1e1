import HighlightTracing
import Instrumentation
import Tracing

/// Starts the span of one message through the bootstrapped tracer, resolved on every call. When that tracer is this
/// package's, it is called directly: `InstrumentationSystem.tracer` casts the instrument to `any Tracer` on every
/// call, which was 7% of the traced producer's profile; a cast to the concrete type is a metadata comparison.
enum MessageTracer {
    /// - Parameter bootstrapped: `InstrumentationSystem.instrument`, when the caller has already read it.
    static func startSpan(
        _ name: String,
        context: ServiceContext,
        ofKind kind: SpanKind,
        bootstrapped: any Instrument = InstrumentationSystem.instrument
    ) -> any Span {
        if let tracer = bootstrapped as? HighlightTracer {
            return tracer.startSpan(name, context: context, ofKind: kind)
        }
        return InstrumentationSystem.tracer.startSpan(name, context: context, ofKind: kind)
    }
}
