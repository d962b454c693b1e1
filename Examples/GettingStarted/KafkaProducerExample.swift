// Getting started, step 3: produce inside the request, and the message carries the session (README, DocC "Getting started with Kafka").
import HighlightKafka
import HighlightKafkaClient

func publishOrder(_ producer: TracedKafkaProducer, orderID: String, json: String) async throws {
    // Called from a handler behind HighlightMiddleware: ServiceContext.current holds the browser's session,
    // and the traced producer writes it (and the trace) into the message's headers.
    try await producer.send(KafkaProducerRecord(topic: "orders", key: orderID, value: json))
}

func makeOrdersProducer() throws -> TracedKafkaProducer {
    try TracedKafkaProducer(configuration: .init(bootstrapServers: ["localhost:9092"]))
}
