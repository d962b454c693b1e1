import Foundation
import HighlightKafkaClient
import HighlightKafkaTesting
import Logging
import Testing

/// Where the integration tests find Kafka: the broker named by `KAFKA_BOOTSTRAP_SERVERS` when it is set, otherwise
/// one embedded mock cluster shared by the whole test process.
enum TestKafka {
    struct Environment: Sendable {
        let bootstrapServers: String
        let mock: KafkaMockCluster?
        var isRealBroker: Bool { mock == nil }
    }

    static let environment: Environment = {
        if let servers = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"], !servers.isEmpty {
            return Environment(bootstrapServers: servers, mock: nil)
        }
        do {
            let cluster = try KafkaMockCluster(brokers: 3)
            return Environment(bootstrapServers: cluster.bootstrapServers, mock: cluster)
        } catch {
            fatalError("the embedded mock cluster did not start: \(error)")
        }
    }()

    static var bootstrapServers: [String] { [environment.bootstrapServers] }

    /// A topic no other test uses, created with `partitions` partitions.
    static func makeTopic(_ prefix: String = "test", partitions: Int = 1) async throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
        if let mock = environment.mock {
            try mock.createTopic(name, partitions: partitions)
        } else {
            let admin = try KafkaTopicAdministrator(bootstrapServers: bootstrapServers)
            try await admin.createTopic(name, partitions: partitions)
        }
        return name
    }

    static let logger: Logger = {
        var logger = Logger(label: "integration-tests")
        // TEST_LOG_LEVEL=debug shows what the clients log while a scenario runs.
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }()

    static func producer(_ configure: (inout KafkaProducerConfiguration) -> Void = { _ in }) throws -> KafkaProducer {
        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        configuration.linger = .milliseconds(1)
        configure(&configuration)
        return try KafkaProducer(configuration: configuration, logger: logger)
    }

    /// A consumer of whole topics from their beginning, joining no group.
    static func reader(topic: String, partitions: Int32 = 1, _ configure: (inout KafkaConsumerConfiguration) -> Void = { _ in }) throws -> KafkaConsumer {
        let positions = (0..<partitions).map { KafkaTopicPartitionOffset(topic: topic, partition: $0, offset: KafkaTopicPartitionOffset.beginning) }
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, subscription: .assignment(positions))
        configure(&configuration)
        return try KafkaConsumer(configuration: configuration, logger: logger)
    }

    /// A consumer that reads a group's committed offsets without joining it (joining would start a rebalance, and
    /// offset fetches wait while one is in progress).
    static func committedOffsets(
        group: String,
        topic: String,
        partitions: [Int32],
        on servers: [String] = bootstrapServers
    ) async throws -> [KafkaTopicPartitionOffset] {
        let probe = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: servers, subscription: .assignment([], groupID: group)),
            logger: logger
        )
        let offsets = try await probe.committedOffsets(for: partitions.map { KafkaTopicPartition(topic: topic, partition: $0) }, timeout: .seconds(30))
        await probe.shutdown()
        return offsets
    }

    static func groupMember(topic: String, group: String, _ configure: (inout KafkaConsumerConfiguration) -> Void = { _ in }) throws -> KafkaConsumer {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, subscription: .group(id: group, topics: [topic]))
        configuration.sessionTimeout = .seconds(6)
        configure(&configuration)
        return try KafkaConsumer(configuration: configuration, logger: logger)
    }
}

/// Reads `count` messages or fails after `timeout`.
func collect(_ count: Int, from consumer: KafkaConsumer, timeout: Duration = .seconds(30)) async throws -> [KafkaConsumerMessage] {
    try await withThrowingTaskGroup(of: [KafkaConsumerMessage]?.self) { group in
        group.addTask {
            var messages: [KafkaConsumerMessage] = []
            for await message in consumer.messages {
                messages.append(message)
                if messages.count == count { break }
            }
            return messages
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next()!
        group.cancelAll()
        guard let messages = first else {
            throw TestTimeout(description: "expected \(count) messages within \(timeout)")
        }
        return messages
    }
}

struct TestTimeout: Error, CustomStringConvertible {
    let description: String
}
