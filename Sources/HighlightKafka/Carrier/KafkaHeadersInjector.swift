public import HighlightKafkaClient
public import Instrumentation
import HighlightPropagation

/// Writes propagated values into Kafka message headers: every header of that name (ignoring ASCII case) is removed,
/// then one is appended with the lowercase name. The user's other headers keep their order.
public struct KafkaHeadersInjector: Injector {
    /// Creates the injector.
    public init() {}

    /// Replaces the headers named `key` with one holding `value`.
    public func inject(_ value: String, forKey key: String, into carrier: inout [KafkaHeader]) {
        carrier.removeAll { $0.name.equalsIgnoringASCIICase(key) }
        // A propagator writes up to four headers in a row: make room for them once, not by doubling each time.
        if carrier.count == carrier.capacity { carrier.reserveCapacity(carrier.count + 4) }
        carrier.append(KafkaHeader(name: key, string: value))
    }
}
