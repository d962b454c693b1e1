// The plain Kafka client: read a topic and commit what was processed (DocC: HighlightKafkaClient).
import HighlightKafkaClient

func countOrders(upTo limit: Int) async throws -> Int {
    let consumer = try KafkaConsumer(configuration: .init(
        bootstrapServers: ["localhost:9092"], subscription: .group(id: "order-counters", topics: ["orders"])))
    var count = 0
    for await message in consumer.messages {
        count += 1
        try consumer.storeOffset(for: message)  // committed by the next periodic commit, or at shutdown
        if count == limit { break }
    }
    await consumer.shutdown()  // commits what was stored, leaves the group, closes
    return count
}
