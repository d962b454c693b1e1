import Foundation
import HighlightKafkaClient
import HighlightTestSupport
import Testing

/// kcat is librdkafka's command-line client; `make deps` installs it.
@Suite("Interoperability with kcat", .timeLimit(.minutes(2)))
struct KcatInteropTests {
    static func kcat(_ arguments: [String], input: String? = nil) async throws -> String {
        let result = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["kcat", "-b", TestKafka.environment.bootstrapServers] + arguments,
            input: Data((input ?? "").utf8)
        )
        guard result.status == 0 else {
            throw TestTimeout(description: "kcat \(arguments) failed (is kcat installed? run `make deps`): \(result.errors)")
        }
        return result.output
    }

    @Test func aMessageProducedWithKcatIsReadIntact() async throws {
        let topic = try await TestKafka.makeTopic("kcat-in")
        _ = try await Self.kcat(
            ["-P", "-t", topic, "-K", ":", "-H", "x-highlight-request=kcatsess/kcatreq", "-H", "traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "-H", "dup=1", "-H", "dup=2"],
            input: "the-key:the value with spaces\n"
        )
        let consumer = try TestKafka.reader(topic: topic)
        let message = try #require(try await collect(1, from: consumer).first)
        await consumer.shutdown()
        #expect(message.keyString == "the-key")
        #expect(message.valueString == "the value with spaces")
        #expect(message.headers.map(\.name) == ["x-highlight-request", "traceparent", "dup", "dup"])
        #expect(message.lastHeader(named: "x-highlight-request")?.stringValue == "kcatsess/kcatreq")
        #expect(message.lastHeader(named: "dup")?.stringValue == "2")
    }

    @Test func aMessageProducedHereIsReadIntactByKcatJSON() async throws {
        let topic = try await TestKafka.makeTopic("kcat-out")
        let producer = try TestKafka.producer()
        try await producer.send(
            KafkaProducerRecord(
                topic: topic,
                key: "order-1",
                value: #"{"total":12}"#,
                headers: [KafkaHeader(name: "x-highlight-request", string: "sess/req"), KafkaHeader(name: "h", string: "v")]
            )
        )
        await producer.shutdown()
        let output = try await Self.kcat(["-C", "-t", topic, "-o", "beginning", "-e", "-c", "1", "-J"])
        let line = try #require(output.split(separator: "\n").first)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(json["key"] as? String == "order-1")
        #expect(json["payload"] as? String == #"{"total":12}"#)
        #expect(json["headers"] as? [String] == ["x-highlight-request", "sess/req", "h", "v"])
        #expect(json["offset"] as? Int == 0)
    }
}
