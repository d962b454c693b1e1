public import HighlightKafkaClient
public import Instrumentation
import HighlightPropagation

/// Writes propagated values into Kafka message headers: every header of that name (ignoring ASCII case) is removed,
/// then one is appended with the lowercase name. The user's other headers keep their order.
public struct KafkaHeadersInjector: Injector {
    /// Creates the injector.
    public init() {}

    /// Replaces the headers named `key` with one holding `value`.
    ///
    /// - Parameters:
    ///   - value: the header's value, written as UTF-8.
    ///   - key: the header name; earlier headers of that name (any case) are removed.
    ///   - carrier: the record's headers.
    public func inject(_ value: String, forKey key: String, into carrier: inout [KafkaHeader]) {
        Self.replace(key, with: KafkaHeader(name: key, string: value), in: &carrier)
    }

    /// Removes every header named `name` (ignoring ASCII case) and appends `header`.
    static func replace(_ name: String, with header: KafkaHeader, in headers: inout [KafkaHeader]) {
        // Looked for first, in place: removing writes back (and retains) every header even when none matches, and
        // none does in the common case (a record whose propagated headers are written once).
        let present = headers.withUnsafeBufferPointer { $0.contains { $0.name.equalsIgnoringASCIICase(name) } }
        if present { headers.removeAll { $0.name.equalsIgnoringASCIICase(name) } }
        // A propagator writes up to four headers in a row: make room for them once, not by doubling each time.
        if headers.count == headers.capacity { headers.reserveCapacity(headers.count + 4) }
        headers.append(header)
    }
}
