/// What every span of one Kafka client on one topic has in common: the operation, the topic, the client and its
/// server, the consumer group. Made once per topic and shared by reference, so a span's ``MessagingFields`` hold one
/// reference for these five values instead of a copy of each per message.
package final class MessagingEndpoint: Sendable {
    package let operationType: String
    package let destination: String
    package let clientID: String
    package let serverAddress: String?
    package let consumerGroup: String?

    package init(operationType: String, destination: String, clientID: String, serverAddress: String?, consumerGroup: String? = nil) {
        self.operationType = operationType
        self.destination = destination
        self.clientID = clientID
        self.serverAddress = serverAddress
        self.consumerGroup = consumerGroup
    }
}
