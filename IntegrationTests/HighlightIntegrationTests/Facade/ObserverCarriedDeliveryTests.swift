import Foundation
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Instrumentation
import Testing

/// With the report stream off, a traced `sendAndForget` hands librdkafka the span itself as the message's opaque (no
/// record of the send is made): its span must still end with where the message landed, or with the failure, exactly
/// once, and the producer's counters must still add up.
@Suite("Traced producer: the span rides with the message", .timeLimit(.minutes(2)), .readsSharedReceiver)
struct ObserverCarriedDeliveryTests {
    @Test func everySpanEndsWithTheOffsetItsMessageGot() async throws {
        let receiver = try await TestHighlight.ready()
        let topic = try await TestKafka.makeTopic("observer-carried")
        let traceID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let context = ServiceContext.extract(from: ["x-highlight-request": "carried/r1", "traceparent": "00-\(traceID)-00f067aa0ba902b7-01"])
        let producer = TracedKafkaProducer(producer: try TestKafka.producer { $0.deliveryReportBufferSize = 0 })
        let count = 5
        for index in 0..<count {
            let record = KafkaProducerRecord(topic: topic, partition: 0, value: "v\(index)")
            _ = try await ServiceContext.withValue(context) { try await producer.sendAndForget(record) }
        }
        try await producer.flush()
        await producer.shutdown()
        #expect(producer.producer.statistics.delivered == count)
        #expect(producer.producer.statistics.failed == 0)

        let reader = try TestKafka.reader(topic: topic)
        let messages = try await collect(count, from: reader)
        await reader.shutdown()
        try await withTimeout(.seconds(30)) {
            await receiver.waitForSpans { spans in spans.filter { $0.traceID == traceID && $0.name == "send \(topic)" }.count >= count }
        }
        let spans = receiver.spans.filter { $0.traceID == traceID && $0.name == "send \(topic)" }
        #expect(spans.count == count, "one span per message, each ended once")
        #expect(Set(spans.compactMap { $0.attributes["messaging.kafka.offset"] }) == Set(messages.map { "\($0.offset)" }))
        #expect(spans.allSatisfy { $0.attributes["messaging.destination.partition.id"] == "0" })
        #expect(spans.allSatisfy { $0.attributes["highlight.session_id"] == "carried" })
    }

    @Test func aMessageThatCannotBeDeliveredEndsItsSpanWithTheErrorNamingTheTopic() async throws {
        let receiver = try await TestHighlight.ready()
        // Nothing listens on port 1 of loopback: the messages stay queued until shutdown fails them.
        var configuration = KafkaProducerConfiguration(bootstrapServers: ["127.0.0.1:1"])
        configuration.deliveryReportBufferSize = 0
        let producer = TracedKafkaProducer(producer: try KafkaProducer(configuration: configuration, logger: TestKafka.logger))
        let topic = "nowhere-\(UUID().uuidString.prefix(8))"
        let traceID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let context = ServiceContext.extract(from: ["x-highlight-request": "lost/r2", "traceparent": "00-\(traceID)-00f067aa0ba902b7-01"])
        for index in 0..<3 {
            let record = KafkaProducerRecord(topic: topic, value: "v\(index)")
            _ = try await ServiceContext.withValue(context) { try await producer.sendAndForget(record) }
        }
        await producer.shutdown(flushTimeout: .milliseconds(200))
        #expect(producer.producer.statistics.failed == 3, "each failure counted")
        #expect(producer.producer.statistics.delivered == 0)

        let records = try await receiver.waitFor { records in
            records.filter { $0.attributes["exception.message"]?.contains("delivery to \(topic) failed") == true }.count >= 3
        }
        let failures = records.filter { $0.attributes["exception.message"]?.contains("delivery to \(topic) failed") == true }
        #expect(failures.count == 3, "one error per message: \(failures.map(\.attributes))")
        try await withTimeout(.seconds(30)) {
            await receiver.waitForSpans { spans in spans.filter { $0.traceID == traceID && $0.name == "send \(topic)" }.count >= 3 }
        }
        #expect(receiver.spans.filter { $0.traceID == traceID && $0.name == "send \(topic)" }.count == 3)
    }
}
