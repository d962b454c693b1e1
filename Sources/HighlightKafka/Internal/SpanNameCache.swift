import HighlightSynchronization
import Synchronization

/// The span name `"<operation> <topic>"` of a producer or consumer, made once per topic instead of formatted (and
/// allocated) for every message. It keeps the last topic's name: a client that alternates between topics formats
/// again at each change, as it would without the cache.
final class SpanNameCache: Sendable {
    private let operation: String
    private let last = Locked<(topic: String, name: String)?>(nil)

    init(operation: String) {
        self.operation = operation
    }

    func name(for topic: String) -> String {
        if let cached = last.withLock({ $0 }), cached.topic == topic { return cached.name }
        let name = "\(operation) \(topic)"
        last.withLock { $0 = (topic, name) }
        return name
    }
}
