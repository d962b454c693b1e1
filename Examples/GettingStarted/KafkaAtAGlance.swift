// The traced producer and consumer at a glance (DocC: HighlightKafka, the landing page).
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Instrumentation

/// Called in a request's context: the record's headers carry that request's session and trace.
func publish(_ producer: TracedKafkaProducer) async throws {
    try await producer.send(KafkaProducerRecord(topic: "orders", key: "42", value: "{}"))
}

/// Each message's handler runs in the session of the request that produced it.
func consumeOrders() async throws {
    let consumer = try TracedKafkaConsumer(configuration: .init(
        bootstrapServers: ["localhost:9092"], subscription: .group(id: "workers", topics: ["orders"])))
    try await consumer.run { message in
        let session = ServiceContext.current?.highlightRequest?.sessionSecureID
        print("order \(message.message.keyString ?? "?") from session \(session ?? "none")")
    }
}
