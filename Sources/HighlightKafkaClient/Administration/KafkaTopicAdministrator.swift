/// Creates topics on a real cluster (the mock cluster has its own `createTopic` in `HighlightKafkaTesting`).
///
/// ```swift
/// let admin = try KafkaTopicAdministrator(bootstrapServers: ["localhost:9092"])
/// try await admin.createTopic("orders", partitions: 8, replicationFactor: 3)
/// ```
public final class KafkaTopicAdministrator: Sendable {
    private let client: RDKafkaClient

    /// Connects to a cluster; `additionalProperties` carries TLS or SASL settings.
    ///
    /// - Parameters:
    ///   - bootstrapServers: `host:port` of one or more brokers.
    ///   - additionalProperties: any other librdkafka property.
    /// - Throws: ``KafkaError`` when librdkafka refuses a property (its name and librdkafka's message are in the error).
    public init(bootstrapServers: [String], additionalProperties: [String: String] = [:]) throws(KafkaError) {
        let properties = [("bootstrap.servers", bootstrapServers.joined(separator: ","))]
            + additionalProperties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        client = try RDKafkaClient.administrator(properties: properties)
    }

    /// Creates a topic and waits until the cluster confirms; a topic that already exists is not an error.
    ///
    /// - Parameters:
    ///   - name: the topic's name.
    ///   - partitions: how many partitions it gets.
    ///   - replicationFactor: how many brokers keep each partition.
    ///   - timeout: how long to wait for the cluster's answer.
    /// - Throws: ``KafkaError`` when the cluster refuses the topic (an invalid name, too few brokers) or does not answer.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1, timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let client = self.client
        let milliseconds = Int32(clamping: timeout.milliseconds)
        let outcome: Result<Void, KafkaError> = await runBlocking {
            Result { () throws(KafkaError) in
                try client.createTopic(name, partitions: partitions, replicationFactor: replicationFactor, timeoutMilliseconds: milliseconds)
            }
        }
        try outcome.get()
    }

    /// The partition numbers of `topic`.
    ///
    /// - Parameters:
    ///   - topic: the topic to describe.
    ///   - timeout: how long to wait for the cluster's metadata.
    /// - Returns: the partition numbers, ascending.
    /// - Throws: ``KafkaError`` when the topic does not exist or the cluster does not answer.
    public func partitions(of topic: String, timeout: Duration = .seconds(10)) async throws(KafkaError) -> [Int32] {
        let client = self.client
        let milliseconds = Int32(clamping: timeout.milliseconds)
        let outcome: Result<[Int32], KafkaError> = await runBlocking {
            Result { () throws(KafkaError) in try client.partitions(of: topic, timeoutMilliseconds: milliseconds) }
        }
        return try outcome.get()
    }

    /// The oldest offset still kept and the offset the next message will get, for one partition.
    ///
    /// - Parameters:
    ///   - topic: the topic.
    ///   - partition: the partition number.
    ///   - timeout: how long to wait for the partition's leader.
    /// - Returns: `low`, the oldest offset kept, and `high`, the offset the next message will get.
    /// - Throws: ``KafkaError`` when the partition does not exist or its leader does not answer.
    public func watermarks(topic: String, partition: Int32, timeout: Duration = .seconds(10)) async throws(KafkaError) -> (low: Int64, high: Int64) {
        let client = self.client
        let milliseconds = Int32(clamping: timeout.milliseconds)
        let outcome: Result<(low: Int64, high: Int64), KafkaError> = await runBlocking {
            Result { () throws(KafkaError) in try client.watermarks(topic: topic, partition: partition, timeoutMilliseconds: milliseconds) }
        }
        return try outcome.get()
    }
}
