import Foundation
import HighlightKafkaClient
import HighlightKafkaTesting

/// Fault-injection scenarios need a cluster of their own (taking the shared one down would break other tests), so
/// they always run on an embedded mock cluster, also when `KAFKA_BOOTSTRAP_SERVERS` names a real broker: a test cannot
/// take a real broker down.
enum Reliability {
    /// `SOAK=1` (`make soak`) runs the long variants.
    static var soak: Bool { ProcessInfo.processInfo.environment["SOAK"] == "1" }

    static func scaled(_ quick: Int, soak long: Int) -> Int { soak ? long : quick }

    static func producer(_ cluster: KafkaMockCluster, _ configure: (inout KafkaProducerConfiguration) -> Void = { _ in }) throws -> KafkaProducer {
        var configuration = KafkaProducerConfiguration(bootstrapServers: [cluster.bootstrapServers])
        configuration.linger = .milliseconds(5)
        configure(&configuration)
        return try KafkaProducer(configuration: configuration, logger: TestKafka.logger)
    }

    static func reader(_ cluster: KafkaMockCluster, topic: String, partitions: Int32) throws -> KafkaConsumer {
        let positions = (0..<partitions).map { KafkaTopicPartitionOffset(topic: topic, partition: $0, offset: KafkaTopicPartitionOffset.beginning) }
        return try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: [cluster.bootstrapServers], subscription: .assignment(positions)),
            logger: TestKafka.logger
        )
    }

    /// A one-broker mock cluster with `topic` holding the values "0" to "messages - 1", sent one by one.
    static func cluster(topic: String, partitions: Int, messages: Int) async throws -> KafkaMockCluster {
        let cluster = try KafkaMockCluster(brokers: 1)
        try cluster.createTopic(topic, partitions: partitions)
        let producer = try producer(cluster)
        for index in 0..<messages { try await producer.send(KafkaProducerRecord(topic: topic, value: "\(index)")) }
        await producer.shutdown()
        return cluster
    }

    /// - Parameter sessionTimeout: short by default, so that a member that leaves is noticed quickly.
    static func member(_ cluster: KafkaMockCluster, topic: String, group: String, sessionTimeout: Duration = .seconds(6)) throws -> KafkaConsumer {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [cluster.bootstrapServers], subscription: .group(id: group, topics: [topic]))
        configuration.sessionTimeout = sessionTimeout
        configuration.commitInterval = .milliseconds(100)
        return try KafkaConsumer(configuration: configuration, logger: TestKafka.logger)
    }

    /// Prints one row of the scenario table the issue's closing note reports.
    static func report(_ scenario: String, sent: Int, handled: Int, duplicated: Int, lost: Int, seconds: Double) {
        let line = "RELIABILITY | \(scenario) | sent \(sent) | handled \(handled) | duplicated \(duplicated) | lost \(lost) | \(String(format: "%.1f", seconds)) s\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
