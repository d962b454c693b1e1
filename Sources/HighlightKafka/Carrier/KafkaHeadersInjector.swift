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
        carrier.append(KafkaHeader(name: key, string: value))
    }
}
