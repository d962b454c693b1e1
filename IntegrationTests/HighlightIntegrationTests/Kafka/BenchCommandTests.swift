import Foundation
import Testing

/// `hlkafka bench` as `make bench` drives it: one JSON line per mode with the figures the benchmark table is built
/// from. Small runs, against the test cluster (the embedded one, or the broker in `KAFKA_BOOTSTRAP_SERVERS`).
@Suite("hlkafka bench", .timeLimit(.minutes(2)))
struct BenchCommandTests {
    static let messages = 2000

    func bench(_ operation: String, topic: String, _ extra: [String] = []) throws -> HLKafkaCommandLineTests.Run {
        try HLKafkaCommandLineTests.run(
            ["bench", operation, "--messages", "\(Self.messages)", "--value-bytes", "100", "--json",
             "--bootstrap-servers", TestKafka.environment.bootstrapServers, "--topic", topic] + extra
        )
    }

    @Test func tracedWithExportAndWithSwiftOTelAreLabelledAndExportEverySpanSent() async throws {
        let topic = try await TestKafka.makeTopic("bench-tracers", partitions: 2)
        let exported = try bench("produce", topic: topic, ["--mode", "traced", "--export"])
        #expect(exported.status == 0, "\(exported.errors)")
        #expect(exported.jsonLines.compactMap { $0["mode"] as? String } == ["traced-export"])
        #expect(exported.errors.contains("\(Self.messages) spans exported, 0 dropped, 0 failed requests"), "\(exported.errors)")
        let otel = try bench("produce", topic: topic, ["--mode", "traced", "--tracer", "otel"])
        #expect(otel.status == 0, "\(otel.errors)")
        #expect(otel.jsonLines.compactMap { $0["mode"] as? String } == ["traced-otel"])
        let refused = try bench("produce", topic: topic, ["--mode", "traced", "--tracer", "otel", "--export"])
        #expect(refused.status != 0 && refused.errors.contains("--export goes with --tracer highlight"))
    }

    @Test func theExporterAloneAcceptsEverySpan() throws {
        let run = try HLKafkaCommandLineTests.run(["bench-export", "--spans", "3000", "--json"])
        #expect(run.status == 0, "\(run.errors)")
        let line = try #require(run.jsonLines.first)
        #expect(line["spans"] as? Int == 3000)
        #expect(line["exported"] as? Int == 3000)
        #expect(line["failedRequests"] as? Int == 0)
        let seconds = line["seconds"] as? Double ?? 0
        #expect(seconds > 0 && abs((line["spansPerSecond"] as? Double ?? 0) * seconds - 3000) < 1)
    }

    @Test func produceAndConsumePrintOneLinePerModeWithMessagesSecondsAndRate() async throws {
        let topic = try await TestKafka.makeTopic("bench", partitions: 2)
        // Each of the four produce modes writes `messages` to the topic; consume then reads `messages` from its start.
        for operation in ["produce", "consume"] {
            let run = try bench(operation, topic: topic)
            #expect(run.status == 0, "\(operation): \(run.errors)")
            let lines = run.jsonLines
            let modes = operation == "consume" ? ["raw", "raw-copy", "plain", "traced", "propagate"] : ["raw", "plain", "traced", "propagate"]
            #expect(lines.compactMap { $0["mode"] as? String } == modes, "\(operation)")
            for line in lines {
                let seconds = line["seconds"] as? Double ?? 0
                let rate = line["messagesPerSecond"] as? Double ?? 0
                #expect(line["operation"] as? String == operation)
                #expect(line["messages"] as? Int == Self.messages)
                #expect(seconds > 0)
                #expect(abs(rate * seconds - Double(Self.messages)) < 1, "messagesPerSecond is messages over seconds: \(line)")
                if operation == "consume" && !(line["mode"] as? String ?? "").hasPrefix("raw") {
                    // Memory readings are taken at every 1% of the messages (100 slots, the first may be empty).
                    #expect((line["residentReadingsMB"] as? [Any])?.count == 101, "\(line)")
                }
            }
        }
    }

    @Test func aMalformedConsumerPropertyIsRefusedWithWhatToWrite() throws {
        let run = try HLKafkaCommandLineTests.run(["bench", "consume", "--consumer-property", "fetch.max.bytes"])
        #expect(run.status != 0)
        #expect(run.errors.contains("--consumer-property fetch.max.bytes: expected KEY=VALUE"))
    }

    @Test func rawCopyIsRefusedForProducing() throws {
        let run = try HLKafkaCommandLineTests.run(["bench", "produce", "--mode", "raw-copy"])
        #expect(run.status != 0)
        #expect(run.errors.contains("--mode raw-copy is for consume only"))
    }
}
