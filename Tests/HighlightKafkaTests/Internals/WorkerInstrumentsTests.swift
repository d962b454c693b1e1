@testable import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import HighlightTracing
import Instrumentation
import Testing
import Tracing

/// A consumer's worker reads the bootstrapped instrument until something other than a no-op is there, then keeps it;
/// it extracts with the instrument the `ServiceContext` conveniences would use. The bootstrapped instrument is passed
/// in, so these hold whatever this test process has bootstrapped.
@Suite("Worker instruments")
struct WorkerInstrumentsTests {
    @Test func untilSomethingIsBootstrappedTheDefaultPropagatorExtractsThenTheTracerIsKept() {
        var instruments = WorkerInstruments(configured: nil)
        instruments.update(bootstrapped: NoOpTracer())
        #expect(type(of: instruments.extracting) == HighlightPropagator.self)
        #expect(instruments.tracer == nil)

        let tracer = HighlightTracer(queue: nil)
        instruments.update(bootstrapped: tracer)
        #expect(instruments.extracting.exactly(HighlightTracer.self) === tracer)
        #expect(instruments.tracer === tracer)

        // Bootstrapping happens once per process: what was found stays.
        instruments.update(bootstrapped: HighlightPropagator())
        #expect(instruments.extracting.exactly(HighlightTracer.self) === tracer)
        #expect(instruments.tracer === tracer)
    }

    @Test func aConfiguredInstrumentExtractsAndTheBootstrappedTracerStartsSpans() {
        var instruments = WorkerInstruments(configured: HighlightPropagator())
        let tracer = HighlightTracer(queue: nil)
        instruments.update(bootstrapped: tracer)
        #expect(type(of: instruments.extracting) == HighlightPropagator.self)
        #expect(instruments.tracer === tracer)
    }

    @Test func anotherBootstrappedInstrumentExtractsWithNoTracerKept() {
        var instruments = WorkerInstruments(configured: nil)
        instruments.update(bootstrapped: HighlightPropagator())
        #expect(type(of: instruments.extracting) == HighlightPropagator.self)
        #expect(instruments.tracer == nil)
    }

    @Test func extractedValuesCarryTheTracerFound() {
        var instruments = WorkerInstruments(configured: nil)
        let tracer = HighlightTracer(queue: nil)
        instruments.update(bootstrapped: tracer)
        var memo = ByteExtractionMemo()
        let headers = [KafkaHeader(name: "x-highlight-request", string: "sess1/req1")]
        let extracted = ExtractedContext.extract(from: headers, instruments: &instruments, memo: &memo)
        #expect(extracted.highlightRequest?.sessionSecureID == "sess1")
        guard case .values(_, let carried) = extracted else {
            Issue.record("this package's tracer extracts values, not a context: \(extracted)")
            return
        }
        #expect(carried === tracer)
    }
}
