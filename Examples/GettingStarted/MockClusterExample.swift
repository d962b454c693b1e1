// Testing with librdkafka's mock cluster: the real Kafka protocol on loopback, inside your test (DocC: HighlightKafkaTesting).
import HighlightKafkaClient
import HighlightKafkaTesting

func roundTripOnTheMockCluster() async throws -> String? {
    let cluster = try KafkaMockCluster(brokers: 1)
    try cluster.createTopic("orders", partitions: 1)
    let producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
    try await producer.send(KafkaProducerRecord(topic: "orders", key: "42", value: "{\"item\":\"book\"}"))
    await producer.shutdown()

    let start = KafkaTopicPartitionOffset(topic: "orders", partition: 0, offset: KafkaTopicPartitionOffset.beginning)
    let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: [cluster.bootstrapServers], subscription: .assignment([start])))
    var value: String?
    for await message in consumer.messages {
        value = message.valueString
        break
    }
    await consumer.shutdown()
    return value  // "{\"item\":\"book\"}"
}
