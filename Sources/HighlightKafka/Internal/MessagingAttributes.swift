import HighlightKafkaClient
import Tracing

/// OpenTelemetry messaging semantic conventions (1.x) for Kafka, as used by this module's spans.
enum MessagingAttribute {
    static let system = "messaging.system"
    static let destinationName = "messaging.destination.name"
    static let operationType = "messaging.operation.type"
    static let operationName = "messaging.operation.name"
    static let partitionID = "messaging.destination.partition.id"
    static let offset = "messaging.kafka.offset"
    static let messageKey = "messaging.kafka.message.key"
    static let consumerGroup = "messaging.consumer.group.name"
    static let bodySize = "messaging.message.body.size"
    static let clientID = "messaging.client.id"
    static let batchCount = "messaging.batch.message_count"
    static let serverAddress = "server.address"
}

extension SpanAttributes {
    /// The attributes every Kafka span of this module carries.
    mutating func setKafka(operationType: String, operationName: String, topic: String, clientID: String, server: String?) {
        self[MessagingAttribute.system] = "kafka"
        self[MessagingAttribute.destinationName] = topic
        self[MessagingAttribute.operationType] = operationType
        self[MessagingAttribute.operationName] = operationName
        self[MessagingAttribute.clientID] = clientID
        if let server { self[MessagingAttribute.serverAddress] = server }
    }

    /// The key, when it is text.
    mutating func setKafkaKey(_ key: [UInt8]?) {
        guard let key, let text = String(validating: key, as: UTF8.self) else { return }
        self[MessagingAttribute.messageKey] = text
    }
}

/// The host of the first bootstrap server, for `server.address`.
func firstServerHost(_ bootstrapServers: [String]) -> String? {
    bootstrapServers.first.flatMap { $0.split(separator: ":").first.map(String.init) }
}
