// Testing a traced consumer's handler on the mock cluster, or a real broker (DocC: HighlightKafkaTesting, "Testing your consumer").
import Foundation
import HighlightKafka
import HighlightKafkaClient
import HighlightKafkaTesting
import HighlightPropagation
import Instrumentation
import Synchronization

/// Sends one order inside a browser session and returns the session the consumer's handler saw ("a1b2c3").
func sessionSeenByTheHandler() async throws -> String? {
    // A real broker when KAFKA_BOOTSTRAP_SERVERS is set; otherwise a mock cluster in this process, gone with the test.
    let realBroker = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"].flatMap { $0.isEmpty ? nil : $0 }
    let cluster = realBroker == nil ? try KafkaMockCluster() : nil
    let servers = realBroker ?? cluster?.bootstrapServers ?? ""
    let topic = "orders-\(UUID().uuidString)"  // a topic of its own: tests never see each other's messages
    if let cluster {
        try cluster.createTopic(topic, partitions: 1)
    } else {
        try await KafkaTopicAdministrator(bootstrapServers: [servers]).createTopic(topic, partitions: 1)
    }
    // Name the instrument: the test then does not depend on what the test process bootstrapped.
    let propagator = HighlightPropagator()

    // The producer runs inside the session a request restored, as in an HTTP handler.
    let producer = try TracedKafkaProducer(configuration: .init(bootstrapServers: [servers]), tracing: .init(instrument: propagator))
    let request = ServiceContext.extract(from: ["x-highlight-request": "a1b2c3/req42"], instrument: propagator)
    try await ServiceContext.withValue(request) {
        _ = try await producer.send(KafkaProducerRecord(topic: topic, key: "42", value: "{\"item\":\"book\"}"))
    }
    await producer.shutdown()

    // The consumer under test; the handler stops it once the message is seen.
    let consumer = try TracedKafkaConsumer(
        configuration: .init(bootstrapServers: [servers], subscription: .group(id: "test-\(topic)", topics: [topic])),
        tracing: .init(instrument: propagator)
    )
    let seen = Mutex<String?>(nil)
    try await consumer.run { _ in
        seen.withLock { $0 = ServiceContext.current?.highlightRequest?.sessionSecureID }
        consumer.triggerShutdown()
    }
    return seen.withLock { $0 }
}
