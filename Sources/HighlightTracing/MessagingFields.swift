/// OpenTelemetry's messaging attributes of a Kafka span, kept as typed fields on a ``HighlightSpan`` instead of
/// entries of its `SpanAttributes` dictionary: the Kafka layer sets them per message for the cost of a struct copy,
/// and the exporter writes them as attributes (`messaging.system=kafka`, `messaging.destination.name`, ...).
/// An attribute of the same name set through `attributes` wins.
package struct MessagingFields: Sendable {
    package var operationType: String
    package var destination: String
    package var clientID: String
    package var serverAddress: String?
    package var consumerGroup: String?
    package var partition: Int32?
    package var offset: Int64?
    package var bodySize: Int?
    /// The message key; exported when it is valid UTF-8.
    package var key: [UInt8]?
    package var batchCount: Int?
    /// The handler attempt (`highlight.kafka.attempt`), exported from the second on.
    package var attempt: Int?

    package init(operationType: String, destination: String, clientID: String, serverAddress: String?) {
        self.operationType = operationType
        self.destination = destination
        self.clientID = clientID
        self.serverAddress = serverAddress
    }
}
