import ArgumentParser
import Foundation
import HighlightKafka
import HighlightKafkaClient
import HighlightKafkaTesting
import HighlightPropagation
import Instrumentation
import Synchronization
import HighlightSynchronization

// `hlkafka bench consume`: the Swift consumers' runs.
extension BenchCommand {
    static func readerConfiguration(_ servers: String, _ topic: String, properties: [String: String]) async throws -> KafkaConsumerConfiguration {
        let admin = try KafkaTopicAdministrator(bootstrapServers: [servers])
        let partitions = try await admin.partitions(of: topic)
        let positions = partitions.map { KafkaTopicPartitionOffset(topic: topic, partition: $0, offset: KafkaTopicPartitionOffset.beginning) }
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [servers], subscription: .assignment(positions), clientID: "hlkafka-bench")
        configuration.additionalProperties = properties
        return configuration
    }

    static func consumePlain(
        servers: String, topic: String, messages: Int, properties: [String: String], sampleHeap: Bool
    ) async throws -> (Double, ResidentGrowth.Report?) {
        let configuration = try await readerConfiguration(servers, topic, properties: properties)
        let started = ContinuousClock.now
        let consumer = try KafkaConsumer(configuration: configuration, logger: Telemetry.quietLogger)
        let memory = ResidentGrowth(messages: messages, sampleHeap: sampleHeap)
        var count = 0
        for await _ in consumer.messages {
            count += 1
            memory.observe(count)
            if count == messages { break }
        }
        let elapsed = ContinuousClock.now - started
        let growth = memory.report
        await consumer.shutdown()
        guard count == messages else { throw BenchFailure(description: "read \(count) of \(messages)") }
        return (elapsed.seconds, growth)
    }

    static func consumeTraced(
        servers: String, topic: String, messages: Int, createSpans: Bool = true, properties: [String: String], sampleHeap: Bool
    ) async throws -> (Double, ResidentGrowth.Report?) {
        let configuration = try await readerConfiguration(servers, topic, properties: properties)
        let started = ContinuousClock.now
        let consumer = try TracedKafkaConsumer(
            configuration: configuration,
            tracing: .init(createSpans: createSpans),
            logger: Telemetry.quietLogger
        )
        let handled = Atomic<Int>(0)
        let sessions = Atomic<Int>(0)
        let memory = ResidentGrowth(messages: messages, sampleHeap: sampleHeap)
        let growth = Locked<ResidentGrowth.Report?>(nil)
        try await consumer.run { message in
            if message.highlightRequest != nil { sessions.add(1, ordering: .relaxed) }
            let count = handled.add(1, ordering: .relaxed).newValue
            memory.observe(count)
            if count == messages {
                growth.withLock { $0 = memory.report }
                consumer.triggerShutdown()
            }
        }
        let elapsed = ContinuousClock.now - started
        let count = handled.load(ordering: .relaxed)
        guard count >= messages else { throw BenchFailure(description: "handled \(count) of \(messages)") }
        return (elapsed.seconds, growth.withLock { $0 })
    }
}
