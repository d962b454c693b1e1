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
