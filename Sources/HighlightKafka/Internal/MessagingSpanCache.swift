import HighlightSynchronization
import HighlightTracing
import Synchronization

/// What a producer's or consumer's spans on one topic share: the span name `"<operation> <topic>"` and the
/// ``MessagingEndpoint`` of their messaging attributes, made once per topic instead of formatted (and allocated, and
/// copied field by field) for every message. It keeps the last topic's: a client that alternates between topics makes
/// them again at each change, as it would without the cache.
final class MessagingSpanCache: Sendable {
    /// A class: reading the cached entry retains one reference, not its three strings and the endpoint.
    final class Entry: Sendable {
        let topic: String
        /// `"<operation> <topic>"`.
        let name: String
        let endpoint: MessagingEndpoint

        init(topic: String, name: String, endpoint: MessagingEndpoint) {
            self.topic = topic
            self.name = name
            self.endpoint = endpoint
        }
    }

    private let operation: String
    private let clientID: String
    private let serverAddress: String?
    private let consumerGroup: String?
    private let last = Locked<Entry?>(nil)

    init(operation: String, clientID: String, serverAddress: String?, consumerGroup: String? = nil) {
        self.operation = operation
        self.clientID = clientID
        self.serverAddress = serverAddress
        self.consumerGroup = consumerGroup
    }

    func entry(for topic: String) -> Entry {
        if let cached = last.withLock({ $0 }), cached.topic == topic { return cached }
        let entry = Entry(
            topic: topic,
            name: "\(operation) \(topic)",
            endpoint: MessagingEndpoint(
                operationType: operation, destination: topic, clientID: clientID, serverAddress: serverAddress, consumerGroup: consumerGroup
            )
        )
        last.withLock { $0 = entry }
        return entry
    }
}
