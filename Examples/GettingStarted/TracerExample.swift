// HighlightTracer on its own, for a process that exports spans its own way (DocC: HighlightTracing).
import HighlightTracing
import Instrumentation

/// Bootstraps a tracer that records a quarter of new traces. Ended spans wait in the returned queue (past 10,000 they
/// are dropped and counted, never blocking the code that ends them); `wakeExporter` is called once per 512 of them:
/// take them then with `takeAll()`.
func bootstrapTracing(wakeExporter: @escaping @Sendable () -> Void) -> TelemetryQueue<HighlightSpan> {
    let spans = TelemetryQueue<HighlightSpan>(capacity: 10_000, batchSize: 512, batchReady: wakeExporter)
    let tracer = HighlightTracer(configuration: .init(sampler: .parentBased(root: .ratio(0.25))), queue: spans)
    InstrumentationSystem.bootstrap(tracer)
    return spans
}
