import Foundation
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Instrumentation
import Testing

/// With this package's tracer bootstrapped, `sendAndForget` without a delivery closure writes the propagated headers
/// straight into the message as it is queued, and its span is told of the delivery itself. What travels and what is
/// exported must be what the `[KafkaHeader]` path sends: the record's headers of the same names (any case) replaced,
/// its others kept, the `send` span ended with where the message landed.
@Suite("Traced producer: headers written into the message", .timeLimit(.minutes(2)), .readsSharedReceiver)
struct DirectHeaderWriteTests {
    @Test func sendAndForgetWritesThePropagatedHeadersReplacingTheRecordsOwnOfTheSameNames() async throws {
        let receiver = try await TestHighlight.ready()
        let topic = try await TestKafka.makeTopic("direct-headers")
        let session = "direct\(UUID().uuidString.prefix(8))"
        let traceID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let context = ServiceContext.extract(from: [
            "x-highlight-request": "\(session)/r9",
            "traceparent": "00-\(traceID)-00f067aa0ba902b7-01",
            "baggage": "tenant=acme",
        ])
        let record = KafkaProducerRecord(topic: topic, partition: 0, value: "v", headers: [
            KafkaHeader(name: "TraceParent", string: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            KafkaHeader(name: "x-app", string: "kept"),
            KafkaHeader(name: "X-Highlight-Request", string: "stale/old"),
        ])

        let producer = TracedKafkaProducer(producer: try TestKafka.producer())
        let id = try await ServiceContext.withValue(context) {
            try await producer.sendAndForget(record)
        }
        try await producer.flush()
        await producer.shutdown()
        #expect(producer.producer.statistics.delivered >= 1, "message \(id) delivered")

        let reader = try TestKafka.reader(topic: topic)
        let message = try #require(try await collect(1, from: reader).first)
        await reader.shutdown()

        func values(_ name: String) -> [String] {
            message.headers.filter { $0.name.lowercased() == name }.map { String(decoding: $0.value ?? [], as: UTF8.self) }
        }
        #expect(values("x-highlight-request") == ["\(session)/r9"], "the record's own value replaced")
        // The facade mirrors the session into the baggage too.
        #expect(values("baggage").count == 1)
        #expect(Set((values("baggage").first ?? "").split(separator: ",")) == ["tenant=acme", "x-highlight-request=\(session)/r9"])
        #expect(values("x-app") == ["kept"], "a header of another name is kept")
        #expect(!message.headers.contains { $0.name == "TraceParent" || $0.name == "X-Highlight-Request" })
        let traceParent = try #require(values("traceparent").first)
        let fields = traceParent.split(separator: "-").map(String.init)
        #expect(values("traceparent").count == 1)
        #expect(fields.count == 4 && fields[0] == "00" && fields[1] == traceID && fields[3] == "01", "the caller's trace, sampled")
        #expect(fields.count == 4 && fields[2].count == 16 && fields[2] != "00f067aa0ba902b7", "the send span's own id")

        // Its span ended when the report was served: exported with the partition and offset the message got.
        try await withTimeout(.seconds(30)) {
            await receiver.waitForSpans { spans in spans.contains { $0.traceID == traceID && $0.name == "send \(topic)" } }
        }
        let span = try #require(receiver.spans.first { $0.traceID == traceID && $0.name == "send \(topic)" })
        #expect(span.attributes["messaging.destination.partition.id"] == "0")
        #expect(span.attributes["messaging.kafka.offset"] == "\(message.offset)")
        #expect(span.attributes["highlight.session_id"] == session)
    }

    @Test func withoutSpansTheCallersContextIsWrittenAsItIs() async throws {
        _ = try await TestHighlight.ready()
        let topic = try await TestKafka.makeTopic("direct-headers-no-spans")
        let traceID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let context = ServiceContext.extract(from: ["x-highlight-request": "quiet/r1", "traceparent": "00-\(traceID)-00f067aa0ba902b7-01"])
        let producer = TracedKafkaProducer(producer: try TestKafka.producer(), configuration: .init(createSpans: false))
        let record = KafkaProducerRecord(topic: topic, partition: 0, value: "v", headers: [KafkaHeader(name: "traceparent", string: "stale")])
        _ = try await ServiceContext.withValue(context) { try await producer.sendAndForget(record) }
        try await producer.flush()
        await producer.shutdown()

        let reader = try TestKafka.reader(topic: topic)
        let message = try #require(try await collect(1, from: reader).first)
        await reader.shutdown()
        let sent = Dictionary(message.headers.map { ($0.name, String(decoding: $0.value ?? [], as: UTF8.self)) }, uniquingKeysWith: { first, _ in first })
        #expect(message.headers.count == sent.count, "no name sent twice")
        #expect(sent["traceparent"] == "00-\(traceID)-00f067aa0ba902b7-01", "the caller's span, forwarded")
        #expect(sent["x-highlight-request"] == "quiet/r1")
    }

    @Test func withInjectionOffPerRecordTheRecordTravelsAsItCameAndItsSpanStillEnds() async throws {
        let receiver = try await TestHighlight.ready()
        let topic = try await TestKafka.makeTopic("direct-headers-no-inject")
        let traceID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let context = ServiceContext.extract(from: ["x-highlight-request": "off/r2", "traceparent": "00-\(traceID)-00f067aa0ba902b7-01"])
        let producer = TracedKafkaProducer(producer: try TestKafka.producer())
        let record = KafkaProducerRecord(topic: topic, partition: 0, value: "v", headers: [KafkaHeader(name: "traceparent", string: "own")])
        _ = try await ServiceContext.withValue(context) { try await producer.sendAndForget(record, injectContext: false) }
        try await producer.flush()
        await producer.shutdown()

        let reader = try TestKafka.reader(topic: topic)
        let message = try #require(try await collect(1, from: reader).first)
        await reader.shutdown()
        #expect(message.headers.map(\.name) == ["traceparent"], "nothing injected")
        #expect(message.headers.first.map { String(decoding: $0.value ?? [], as: UTF8.self) } == "own")

        // The span is still the delivery's observer: it ends with where the message landed.
        try await withTimeout(.seconds(30)) {
            await receiver.waitForSpans { spans in spans.contains { $0.traceID == traceID && $0.name == "send \(topic)" } }
        }
        let span = try #require(receiver.spans.first { $0.traceID == traceID && $0.name == "send \(topic)" })
        #expect(span.attributes["messaging.kafka.offset"] == "\(message.offset)")
        #expect(span.attributes["highlight.session_id"] == "off")
    }
}
