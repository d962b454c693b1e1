@testable import HighlightKafka
import HighlightKafkaClient
import Synchronization
import Testing
import HighlightSynchronization

/// The consumer shuts down the dead-letter producer it created, in both pipelines, and never one it was given.
@Suite("Dead-letter producer ownership", .timeLimit(.minutes(2)))
struct DeadLetterProducerTests {
    struct HandlerFailed: Error {}

    /// A topic holding messages 0, 1, 2 on one partition, a dead-letter topic, and a consumer that dead-letters at
    /// the first failure.
    func setUp(_ name: String, deadLetterProducer: KafkaProducer? = nil) async throws -> (deadLetters: String, consumer: TracedKafkaConsumer) {
        let topic = try await TestKafka.makeTopic(name)
        let deadLetters = try await TestKafka.makeTopic("\(name)-dead-letters")
        let producer = try TestKafka.producer()
        for index in 0..<3 { try await producer.send(KafkaProducerRecord(topic: topic, key: "k\(index)", value: "\(index)")) }
        await producer.shutdown()
        var configuration = TracedKafkaConsumer.Configuration(errorPolicy: .deadLetter(topic: deadLetters))
        configuration.deadLetterProducer = deadLetterProducer
        let consumer = TracedKafkaConsumer(
            consumer: try TestKafka.groupMember(topic: topic, group: "g-\(topic)"),
            configuration: configuration,
            logger: TestKafka.logger
        )
        return (deadLetters, consumer)
    }

    @Test func runLeavesTheProducerItWasGivenOpen() async throws {
        let given = try TestKafka.producer()
        let (deadLetters, consumer) = try await setUp("dl-given", deadLetterProducer: given)
        try await withTimeout(.seconds(60)) {
            try await consumer.run { message in
                if message.message.offset == 2 { consumer.triggerShutdown() }
                if message.message.offset == 1 { throw HandlerFailed() }
            }
        }
        #expect(consumer.statistics.deadLettered == 1)
        // Still the caller's: it sends after the consumer is gone.
        let receipt = try await given.send(KafkaProducerRecord(topic: deadLetters, value: "after"))
        #expect(receipt.offset == 1, "the dead-lettered message is at 0, this one after it")
        await given.shutdown()
    }

    @Test func runBatchesShutsDownTheProducerItCreated() async throws {
        let (deadLetters, consumer) = try await setUp("dl-batches")
        try await withTimeout(.seconds(60)) {
            try await consumer.runBatches(maximumSize: 1) { batch in
                if batch[0].message.offset == 2 { consumer.triggerShutdown() }
                if batch[0].message.offset == 1 { throw HandlerFailed() }
            }
        }
        #expect(consumer.statistics.deadLettered == 1)
        let created = try #require(consumer.deadLetterProducer.withLock { $0 })
        await #expect(throws: KafkaError.self, "shut down with the consumer") {
            try await created.send(KafkaProducerRecord(topic: deadLetters, value: "after"))
        }
    }
}
