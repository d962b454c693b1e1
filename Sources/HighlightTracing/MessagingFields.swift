/// OpenTelemetry's messaging attributes of a Kafka span, kept as typed fields on a ``HighlightSpan`` instead of
/// entries of its `SpanAttributes` dictionary: the Kafka layer sets them per message for the cost of a small struct
/// (the values shared by the client's spans on a topic are one ``MessagingEndpoint``), and the exporter writes them
/// as attributes (`messaging.system=kafka`, `messaging.destination.name`, ...). An attribute of the same name set
/// through `attributes` wins.
package struct MessagingFields: Sendable {
    /// The operation, topic, client, server and group.
    package let endpoint: MessagingEndpoint
    package var partition: Int32?
    package var offset: Int64?
    package var bodySize: Int?
    /// The message key; exported when it is valid UTF-8.
    package var key: [UInt8]?
    package var batchCount: Int?
    /// The handler attempt (`highlight.kafka.attempt`), exported from the second on.
    package var attempt: Int?

    package init(endpoint: MessagingEndpoint) {
        self.endpoint = endpoint
    }

    package var operationType: String { endpoint.operationType }
    package var destination: String { endpoint.destination }
    package var clientID: String { endpoint.clientID }
    package var serverAddress: String? { endpoint.serverAddress }
    package var consumerGroup: String? { endpoint.consumerGroup }
}
