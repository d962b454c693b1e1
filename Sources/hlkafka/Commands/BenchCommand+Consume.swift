import ArgumentParser
import Foundation
import HighlightKafka
import HighlightKafkaClient
import HighlightKafkaTesting
import HighlightPropagation
import Instrumentation
import ServiceLifecycle
import Synchronization
import HighlightSynchronization

// `hlkafka bench consume`: the Swift consumers' runs.
extension BenchCommand {
    /// A reader of the whole topic from its beginning, and how many of the `messages` asked for it can read: the topic
    /// may hold fewer (the mock cluster drops a partition's oldest messages past a few MB), and waiting for messages
    /// that will never come would never end.
    static func readerConfiguration(
        _ servers: String, _ topic: String, messages: Int, properties: [String: String]
    ) async throws -> (KafkaConsumerConfiguration, toRead: Int) {
        let admin = try KafkaTopicAdministrator(bootstrapServers: [servers])
        let partitions = try await admin.partitions(of: topic)
        var available: Int64 = 0
        for partition in partitions {
            let (low, high) = try await admin.watermarks(topic: topic, partition: partition)
            available += high - low
        }
        if available < messages {
            Output.progress("hlkafka bench: warning: \(topic) holds \(available) of the \(messages) messages asked for; reading \(available)")
        }
        let positions = partitions.map { KafkaTopicPartitionOffset(topic: topic, partition: $0, offset: KafkaTopicPartitionOffset.beginning) }
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [servers], subscription: .assignment(positions), clientID: "hlkafka-bench")
        configuration.additionalProperties = properties
        return (configuration, Int(min(Int64(messages), available)))
    }

    static func consumePlain(
        servers: String, topic: String, messages: Int, properties: [String: String], sampleHeap: Bool
    ) async throws -> (Double, ResidentGrowth.Report?, read: Int) {
        let (configuration, messages) = try await readerConfiguration(servers, topic, messages: messages, properties: properties)
        guard messages > 0 else { return (0, nil, 0) }
        let started = ContinuousClock.now
        let consumer = try KafkaConsumer(configuration: configuration, logger: Telemetry.quietLogger)
        let memory = ResidentGrowth(messages: messages, sampleHeap: sampleHeap)
        var count = 0
        // SIGINT/SIGTERM end the message sequence.
        await withGracefulShutdownHandler {
            for await _ in consumer.messages {
                count += 1
                memory.observe(count)
                if count == messages { break }
            }
        } onGracefulShutdown: {
            consumer.triggerShutdown()
        }
        let elapsed = ContinuousClock.now - started
        let growth = memory.report
        await consumer.shutdown()
        return (elapsed.seconds, growth, count)
    }

    static func consumeTraced(
        servers: String, topic: String, messages: Int, createSpans: Bool = true, properties: [String: String], sampleHeap: Bool
    ) async throws -> (Double, ResidentGrowth.Report?, read: Int) {
        let (configuration, messages) = try await readerConfiguration(servers, topic, messages: messages, properties: properties)
        guard messages > 0 else { return (0, nil, 0) }
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
        // Timed to the last message handled, as the plain run is to the last message read: the consumer's shutdown
        // (its final commit, leaving, closing) is not part of either.
        let finished = Locked<ContinuousClock.Instant?>(nil)
        // The traced consumer stops on graceful shutdown (SIGINT/SIGTERM) by itself.
        try await consumer.run { message in
            if message.highlightRequest != nil { sessions.add(1, ordering: .relaxed) }
            let count = handled.add(1, ordering: .relaxed).newValue
            memory.observe(count)
            if count == messages {
                finished.withLock { $0 = ContinuousClock.now }
                growth.withLock { $0 = memory.report }
                consumer.triggerShutdown()
            }
        }
        // Interrupted before the last message: up to the end of the run.
        let elapsed = (finished.withLock { $0 } ?? ContinuousClock.now) - started
        // Workers of other partitions may handle a few more before the shutdown reaches them: the run is of `messages`.
        return (elapsed.seconds, growth.withLock { $0 }, min(messages, handled.load(ordering: .relaxed)))
    }
}
