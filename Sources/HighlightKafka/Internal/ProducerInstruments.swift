import HighlightPropagation
import HighlightTracing
import Instrumentation
import Synchronization
import Tracing

/// The instruments a traced producer uses for every record, read from `InstrumentationSystem` until something is
/// bootstrapped there, then kept: each read of `InstrumentationSystem.instrument` takes a read lock and copies an
/// existential, 3.5% of a traced producer's samples under `perf`. Records are sent from any task, so what was found
/// is published once through an atomic reference and read without a lock.
///
/// As for the consumer's workers (``WorkerInstruments``): `InstrumentationSystem` is bootstrapped once per process, so
/// what is found there once it is not a no-op stays. Until then every record looks again, and injects with the same
/// default propagator as the `ServiceContext` conveniences.
final class ProducerInstruments: Sendable {
    /// What one record uses.
    final class Resolved: Sendable {
        /// The instrument that injects: the configured one, else the bootstrapped one, else the default propagator.
        let injecting: any Instrument
        /// The bootstrapped instrument: a record's span starts through it when it is this package's tracer.
        let bootstrapped: any Instrument
        /// `bootstrapped` when it is this package's tracer, found once: asked per record, the existential was copied
        /// (a retain and a release) to be compared.
        let tracer: HighlightTracer?
        /// The propagator whose byte path stands in for `injecting`, when there is one (see `BytePath`), found once.
        let bytePropagator: HighlightPropagator?

        init(injecting: any Instrument, bootstrapped: any Instrument) {
            self.injecting = injecting
            self.bootstrapped = bootstrapped
            self.tracer = bootstrapped.exactly(HighlightTracer.self)
            self.bytePropagator = BytePath.withPropagator(of: injecting) { $0 }
        }
    }

    private let configured: (any Instrument)?
    /// What is used while nothing is bootstrapped, made once.
    private let unbootstrapped: Resolved
    /// What was found, once found: the address of a ``Resolved`` this object holds a reference to (released in
    /// `deinit`), 0 before. Set once by compare-and-exchange and never changed after, so a non-zero value always
    /// names a live object; a plain atomic word rather than `AtomicLazyReference`, whose `load()` is not inlinable and
    /// looked up generic metadata on every record (2.2% of a traced producer's samples).
    private let found = Atomic<UInt>(0)

    /// - Parameter configured: the producer's configured instrument, `nil` for the bootstrapped one.
    init(configured: (any Instrument)?) {
        self.configured = configured
        let noOp = NoOpTracer()
        self.unbootstrapped = Resolved(injecting: ServiceContext.resolvedInstrument(configured, bootstrapped: noOp), bootstrapped: noOp)
    }

    /// The instruments for the next record.
    ///
    /// - Parameter bootstrapped: reads the bootstrapped instrument (tests pass their own).
    func resolve(bootstrapped read: @autoclosure () -> any Instrument = InstrumentationSystem.instrument) -> Resolved {
        if let kept = Self.object(at: found.load(ordering: .acquiring)) { return kept }
        let bootstrapped = read()
        guard !ServiceContext.isNoOp(bootstrapped) else { return unbootstrapped }
        let made = Resolved(injecting: ServiceContext.resolvedInstrument(configured, bootstrapped: bootstrapped), bootstrapped: bootstrapped)
        let address = UInt(bitPattern: Unmanaged.passRetained(made).toOpaque())
        let (stored, winner) = found.compareExchange(expected: 0, desired: address, ordering: .acquiringAndReleasing)
        if stored { return made }
        // Another record's task stored first (`winner` is then not 0): its object is the one kept, this one is let go.
        Unmanaged.passUnretained(made).release()
        return Self.object(at: winner) ?? made
    }

    private static func object(at address: UInt) -> Resolved? {
        UnsafeRawPointer(bitPattern: address).map { Unmanaged<Resolved>.fromOpaque($0).takeUnretainedValue() }
    }

    deinit {
        if let pointer = UnsafeRawPointer(bitPattern: found.load(ordering: .acquiring)) {
            Unmanaged<Resolved>.fromOpaque(pointer).release()
        }
    }
}
