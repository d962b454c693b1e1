import HighlightPropagation
import HighlightTracing
import Instrumentation

/// The instruments one worker of the traced consumer uses, read from `InstrumentationSystem` once rather than for
/// every message: each read takes a read lock and copies the existential, and the traced consumer read it twice a
/// message, for extraction and for the span.
///
/// `InstrumentationSystem` is bootstrapped once per process, so what is found there, once it is not a no-op, stays.
/// Until then every call looks again, and extraction uses the same default propagator as
/// `ServiceContext.extract(from:)`.
///
/// Kept as plain stored properties: an optional tuple holding an existential went through generic value witnesses
/// on every read, which cost as much as the lock it saved.
struct WorkerInstruments {
    /// The consumer's configured instrument, `nil` for the bootstrapped one.
    private let configured: (any Instrument)?
    /// Whether a bootstrapped instrument was found (then ``extracting`` and ``tracer`` never change).
    private var settled = false
    /// The instrument that extracts a message's context: the configured one, else the bootstrapped one.
    private(set) var extracting: any Instrument
    /// The bootstrapped tracer when it is this package's (a message's span starts through it); `nil` for another
    /// tracer, or while nothing is bootstrapped.
    private(set) var tracer: HighlightTracer?

    init(configured: (any Instrument)?) {
        self.configured = configured
        self.extracting = ServiceContext.resolvedInstrument(configured)
    }

    /// Looks in `InstrumentationSystem` until something is bootstrapped there; call before reading the properties.
    ///
    /// - Parameter bootstrapped: reads the bootstrapped instrument (tests pass their own).
    mutating func update(bootstrapped: @autoclosure () -> any Instrument = InstrumentationSystem.instrument) {
        if settled { return }
        let found = bootstrapped()
        extracting = ServiceContext.resolvedInstrument(configured, bootstrapped: found)
        guard !ServiceContext.isNoOp(found) else { return }
        settled = true
        tracer = found.exactly(HighlightTracer.self)
    }
}
