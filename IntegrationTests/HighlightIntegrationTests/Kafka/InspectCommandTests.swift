import Foundation
import HighlightKafkaClient
import Testing

@Suite("hlkafka inspect", .timeLimit(.minutes(2)))
struct InspectCommandTests {
    /// 10 messages over 2 partitions: 6 with the header (2 of them with traceparent too), 2 with the session only in
    /// baggage, 1 malformed header, 1 without anything. Session coverage: 80%.
    func makeTopicWithKnownCoverage() async throws -> String {
        let topic = try await TestKafka.makeTopic("inspect", partitions: 2)
        let producer = try TestKafka.producer()
        let traceParent = KafkaHeader(name: "traceparent", string: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        var records: [KafkaProducerRecord] = []
        for index in 0..<6 {
            var headers = [KafkaHeader(name: index % 2 == 0 ? "x-highlight-request" : "X-Highlight-Request", string: "sess\(index % 3)/req\(index)")]
            if index < 2 { headers.append(traceParent) }
            records.append(KafkaProducerRecord(topic: topic, partition: Int32(index % 2), value: "h\(index)", headers: headers))
        }
        records.append(KafkaProducerRecord(topic: topic, partition: 0, value: "b1", headers: [KafkaHeader(name: "baggage", string: "X-Highlight-Request=pySession%2Fr1")]))
        records.append(KafkaProducerRecord(topic: topic, partition: 1, value: "b2", headers: [KafkaHeader(name: "baggage", string: "x-highlight-request=pySession%2Fr2,k=v")]))
        records.append(KafkaProducerRecord(topic: topic, partition: 0, value: "bad", headers: [KafkaHeader(name: "x-highlight-request", string: "evil\r\nx: 1/r")]))
        records.append(KafkaProducerRecord(topic: topic, partition: 1, value: "none"))
        for record in records { try await producer.send(record) }
        await producer.shutdown()
        return topic
    }

    @Test func reportsCoveragePerPartitionAndInTotal() async throws {
        let topic = try await makeTopicWithKnownCoverage()
        let result = try await HLKafkaCommandLineTests.run(["inspect", "--bootstrap-servers", TestKafka.environment.bootstrapServers, "--topic", topic, "--json"])
        #expect(result.status == 0, "\(result.errors)")
        let report = try #require(result.jsonLines.first)
        let total = try #require(report["total"] as? [String: Any])
        #expect(total["messages"] as? Int == 10)
        #expect(total["withHighlightRequest"] as? Int == 6)
        #expect(total["withTraceparent"] as? Int == 2)
        #expect(total["withBaggageSession"] as? Int == 2)
        #expect(total["withSession"] as? Int == 8)
        #expect(total["malformed"] as? Int == 1)
        #expect(total["distinctSessions"] as? Int == 4)
        #expect(report["coveragePercent"] as? Double == 80)
        let partitions = try #require(report["partitions"] as? [[String: Any]])
        #expect(partitions.map { $0["messages"] as? Int } == [5, 5])
        let examples = try #require(report["malformedExamples"] as? [[String: Any]])
        #expect(examples.count == 1)
        #expect(examples.first?["value"] as? String == #"evil\r\nx: 1/r"#, "the value is shown escaped")
        #expect(result.errors.contains("reading 10 message(s)"), "progress goes to standard error")
    }

    @Test func requireCoverageFailsBelowTheThreshold() async throws {
        let topic = try await makeTopicWithKnownCoverage()
        let servers = TestKafka.environment.bootstrapServers
        let below = try await HLKafkaCommandLineTests.run(["inspect", "--bootstrap-servers", servers, "--topic", topic, "--require-coverage", "90"])
        #expect(below.status == 1)
        #expect(below.errors.contains("below the required 90.0%"))
        let above = try await HLKafkaCommandLineTests.run(["inspect", "--bootstrap-servers", servers, "--topic", topic, "--require-coverage", "75"])
        #expect(above.status == 0)
        #expect(above.output.contains("session coverage: 80.0% of 10 message(s)"))
        let last = try await HLKafkaCommandLineTests.run(["inspect", "--bootstrap-servers", servers, "--topic", topic, "--last", "1", "--json"])
        #expect((last.jsonLines.first?["total"] as? [String: Any])?["messages"] as? Int == 2)
    }
}
