// Getting started, step 3: a worker whose errors show up on the user's session replay (README, DocC).
import Highlight
import HighlightKafka

func runOrderWorker() async throws {
    let consumer = try TracedKafkaConsumer(
        configuration: .init(bootstrapServers: ["localhost:9092"], subscription: .group(id: "order-workers", topics: ["orders"])),
        tracing: .init(
            errorPolicy: .retry(attempts: 3, then: .deadLetter(topic: "orders.dlq")),
            errorReporter: { failure in H.consumeError(failure.error) }  // once per failure, linked to the session
        )
    )
    try await consumer.run { message in
        H.log("charging order \(message.message.keyString ?? "?")")
        try await charge(message.message)
    }
}

func charge(_ message: KafkaConsumerMessage) async throws {}
