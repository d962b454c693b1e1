@testable import HighlightKafka
import HighlightPropagation
import HighlightTracing
import Instrumentation
import Testing
import Tracing

/// A traced producer reads the bootstrapped instrument until something other than a no-op is there, then keeps it,
/// from every task that sends; it injects with the instrument the `ServiceContext` conveniences would use. The
/// bootstrapped instrument is passed in, so these hold whatever this test process has bootstrapped.
@Suite("Producer instruments")
struct ProducerInstrumentsTests {
    @Test func untilSomethingIsBootstrappedTheDefaultPropagatorInjectsThenWhatIsFoundIsKept() {
        let instruments = ProducerInstruments(configured: nil)
        let before = instruments.resolve(bootstrapped: NoOpTracer())
        #expect(type(of: before.injecting) == HighlightPropagator.self)
        #expect(before.bootstrapped.exactly(HighlightTracer.self) == nil)
        #expect(instruments.resolve(bootstrapped: NoOpInstrument()) === before, "nothing is made per record before")

        let tracer = HighlightTracer(queue: nil)
        let found = instruments.resolve(bootstrapped: tracer)
        #expect(found.injecting.exactly(HighlightTracer.self) === tracer)
        #expect(found.bootstrapped.exactly(HighlightTracer.self) === tracer)

        // Bootstrapping happens once per process: what was found stays, and is read without looking again.
        let later = instruments.resolve(bootstrapped: HighlightPropagator())
        #expect(later === found)
    }

    @Test func aConfiguredInstrumentInjectsAndTheBootstrappedTracerStartsSpans() {
        let instruments = ProducerInstruments(configured: HighlightPropagator())
        #expect(type(of: instruments.resolve(bootstrapped: NoOpTracer()).injecting) == HighlightPropagator.self)
        let tracer = HighlightTracer(queue: nil)
        let found = instruments.resolve(bootstrapped: tracer)
        #expect(type(of: found.injecting) == HighlightPropagator.self)
        #expect(found.bootstrapped.exactly(HighlightTracer.self) === tracer)
    }

    @Test func tasksResolvingAtOnceAllGetTheOneKept() async {
        let instruments = ProducerInstruments(configured: nil)
        let tracer = HighlightTracer(queue: nil)
        let all = await withTaskGroup(of: ObjectIdentifier.self) { group in
            for _ in 0..<64 { group.addTask { ObjectIdentifier(instruments.resolve(bootstrapped: tracer)) } }
            return await group.reduce(into: Set<ObjectIdentifier>()) { $0.insert($1) }
        }
        #expect(all.count == 1)
        #expect(all.first == ObjectIdentifier(instruments.resolve(bootstrapped: HighlightPropagator())))
    }
}
