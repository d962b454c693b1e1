import HighlightPropagation
import HighlightTracing
import Instrumentation

/// Which instruments the Kafka carriers' byte path stands in for: this package's propagator, alone or inside its
/// tracer (whose injection and extraction are its propagator's). Any other instrument gets the `String` path.
enum BytePath {
    /// Calls `body` with the propagator whose byte path stands in for `resolved`.
    ///
    /// - Parameters:
    ///   - resolved: the instrument in use (see `ServiceContext.resolvedInstrument`).
    ///   - body: works with that propagator.
    /// - Returns: what `body` returned; `nil`, without calling it, when `resolved` is another instrument.
    static func withPropagator<Result>(of resolved: any Instrument, _ body: (HighlightPropagator) -> Result) -> Result? {
        if let tracer = resolved.exactly(HighlightTracer.self) { return body(tracer.propagator) }
        if let propagator = resolved.exactly(HighlightPropagator.self) { return body(propagator) }
        return nil
    }
}

extension HighlightPropagator {
    /// Writes `context` into `sink`, or, given `span` (this package's tracer's, started in `context`), the span's
    /// context: from the values the span keeps of the context it was started in and its own ids, so `context` is not
    /// looked into again and the span's context is never made.
    func injectBytes<Sink: PropagationByteSink>(_ context: ServiceContext, span: HighlightSpan?, into sink: inout Sink) {
        if let span {
            injectBytes(values: span.parentValues, localSpan: span.identity, into: &sink)
        } else {
            injectBytes(context, into: &sink)
        }
    }
}
