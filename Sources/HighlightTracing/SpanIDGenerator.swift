import Synchronization

/// Trace and span ids without a system call per id: a counter, seeded once from the system's random source, run
/// through a 64-bit mixer (SplitMix64's finalizer, a bijection).
///
/// Ids of one process never repeat until the counter wraps (2^64 ids), and each is as unpredictable across
/// processes as the seed. A trace id is two such values, so its rightmost 7 bytes are random as W3C Trace Context
/// level 2 asks; the tracer sets the `random-trace-id` flag for the traces it starts.
package final class SpanIDGenerator: Sendable {
    private let counter: Atomic<UInt64>
    private let seed: UInt64

    package init() {
        var system = SystemRandomNumberGenerator()
        self.seed = system.next()
        self.counter = Atomic(system.next())
    }

    /// Deterministic ids, for tests.
    package init(seed: UInt64, start: UInt64) {
        self.seed = seed
        self.counter = Atomic(start)
    }

    /// The next non-zero 64-bit value.
    package func next() -> UInt64 {
        while true {
            let value = Self.mix(counter.wrappingAdd(1, ordering: .relaxed).newValue &+ seed)
            if value != 0 { return value }
        }
    }

    @inline(__always)
    static func mix(_ input: UInt64) -> UInt64 {
        var z = input
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
