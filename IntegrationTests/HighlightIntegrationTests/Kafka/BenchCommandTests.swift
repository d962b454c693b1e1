import Foundation
import HighlightKafkaClient
import Testing

/// `hlkafka bench` as `make bench` drives it: one JSON line per mode with the figures the benchmark table is built
/// from. Small runs, against the test cluster (the embedded one, or the broker in `KAFKA_BOOTSTRAP_SERVERS`).
@Suite("hlkafka bench", .timeLimit(.minutes(2)))
struct BenchCommandTests {
    static let messages = 2000

    func bench(_ operation: String, topic: String, _ extra: [String] = []) async throws -> HLKafkaCommandLineTests.Run {
        try await timed(operation, topic: topic, extra).run
    }

    /// The run, and how long the whole process took as seen from here: an observation independent of the figures
    /// the command reports, which every timed part of a run must fit in.
    func timed(_ operation: String, topic: String, _ extra: [String] = []) async throws -> (run: HLKafkaCommandLineTests.Run, seconds: Double) {
        let started = ContinuousClock.now
        let run = try await HLKafkaCommandLineTests.run(
            ["bench", operation, "--messages", "\(Self.messages)", "--value-bytes", "100", "--json",
             "--bootstrap-servers", TestKafka.environment.bootstrapServers, "--topic", topic] + extra
        )
        let elapsed = ContinuousClock.now - started
        return (run, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    @Test func tracedWithExportAndWithSwiftOTelAreLabelledAndExportEverySpanSent() async throws {
        let topic = try await TestKafka.makeTopic("bench-tracers", partitions: 2)
        let exported = try await bench("produce", topic: topic, ["--mode", "traced", "--export"])
        #expect(exported.status == 0, "\(exported.errors)")
        #expect(exported.jsonLines.compactMap { $0["mode"] as? String } == ["traced-export"])
        // The run's drops are in its line (none here: the 2,000 spans fit in the exporter's queue).
        #expect(exported.jsonLines.first?["spansDropped"] as? Int == 0, "\(exported.jsonLines)")
        // These tests run the build they were compiled with; a debug one says its figures mean little.
        #if DEBUG
        #expect(exported.errors.contains("warning: this is a debug build"), "\(exported.errors)")
        #else
        #expect(!exported.errors.contains("debug build"), "\(exported.errors)")
        #endif
        #expect(exported.errors.contains("\(Self.messages) spans exported, 0 dropped, 0 failed requests"), "\(exported.errors)")
        #if SWIFT_OTEL  // built without swift-otel under the sanitizers (see Package.swift)
        let otel = try await bench("produce", topic: topic, ["--mode", "traced", "--tracer", "otel"])
        #expect(otel.status == 0, "\(otel.errors)")
        #expect(otel.jsonLines.compactMap { $0["mode"] as? String } == ["traced-otel"])
        let refused = try await bench("produce", topic: topic, ["--mode", "traced", "--tracer", "otel", "--export"])
        #expect(refused.status != 0 && refused.errors.contains("--export goes with --tracer highlight"))
        #endif
    }

    @Test func theExporterAloneAcceptsEverySpan() async throws {
        let started = ContinuousClock.now
        let run = try await HLKafkaCommandLineTests.run(["bench-export", "--spans", "3000", "--json"])
        let elapsed = ContinuousClock.now - started
        let processSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        #expect(run.status == 0, "\(run.errors)")
        let line = try #require(run.jsonLines.first)
        #expect(line["spans"] as? Int == 3000)
        #expect(line["exported"] as? Int == 3000)
        #expect(line["failedRequests"] as? Int == 0)
        // The timed part ran inside the process: it fits in the time observed from here, and the rate is at least
        // the spans over that time.
        let seconds = line["seconds"] as? Double ?? 0
        #expect(seconds > 0 && seconds < processSeconds, "\(line) within \(processSeconds) s")
        #expect((line["spansPerSecond"] as? Double ?? 0) >= 3000 / processSeconds, "\(line)")
    }

    @Test func produceAndConsumePrintOneLinePerModeWithMessagesSecondsAndRate() async throws {
        let topic = try await TestKafka.makeTopic("bench", partitions: 2)
        // Each produce mode writes `messages` to the topic; consume then reads `messages` from its start.
        for operation in ["produce", "consume"] {
            let (run, processSeconds) = try await timed(operation, topic: topic)
            #expect(run.status == 0, "\(operation): \(run.errors)")
            let lines = run.jsonLines
            let modes = operation == "consume"
                ? ["raw", "raw-copy", "plain", "traced", "propagate"]
                : ["raw", "raw-headers", "plain", "plain-headers", "traced", "propagate"]
            #expect(lines.compactMap { $0["mode"] as? String } == modes, "\(operation)")
            for line in lines {
                let seconds = line["seconds"] as? Double ?? 0
                let rate = line["messagesPerSecond"] as? Double ?? 0
                #expect(line["operation"] as? String == operation)
                #expect(line["messages"] as? Int == Self.messages)
                // Each mode's timed part ran inside the process: its time fits in the time observed from outside, so
                // its rate is at least the messages over that time (a rate that claimed more work per second than
                // the process had time for, or a clock in the wrong unit, fails here).
                #expect(seconds > 0 && seconds < processSeconds, "\(line) within \(processSeconds) s")
                #expect(rate >= Double(Self.messages) / processSeconds, "\(line)")
                if operation == "consume" && !(line["mode"] as? String ?? "").hasPrefix("raw") {
                    // Memory readings are taken at every 1% of the messages (100 slots, the first may be empty).
                    #expect((line["residentReadingsMB"] as? [Any])?.count == 101, "\(line)")
                }
            }
        }
    }

    @Test func aMalformedConsumerPropertyIsRefusedWithWhatToWrite() async throws {
        let run = try await HLKafkaCommandLineTests.run(["bench", "consume", "--consumer-property", "fetch.max.bytes"])
        #expect(run.status != 0)
        #expect(run.errors.contains("--consumer-property fetch.max.bytes: expected KEY=VALUE"))
    }

    @Test func theRawProducerWithHeadersSendsTheWrappersHeadersWithEveryMessage() async throws {
        let topic = try await TestKafka.makeTopic("bench-raw-headers")
        let run = try await bench("produce", topic: topic, ["--mode", "raw-headers"])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.jsonLines.compactMap { $0["mode"] as? String } == ["raw-headers"])
        // The warm-up message carries none; every timed one carries the four the wrapper writes, values intact.
        let reader = try TestKafka.reader(topic: topic)
        var names: [[String]] = []
        var sessions = 0
        for await message in reader.messages {
            names.append(message.headers.map(\.name))
            if message.headers.contains(where: { $0.name == "x-highlight-request" && $0.value == Array("benchSession0000000000000000/benchReq01".utf8) }) {
                sessions += 1
            }
            if names.count == Self.messages + 1 { break }
        }
        await reader.shutdown()
        #expect(names.first == [])
        #expect(Set(names.dropFirst()) == [["x-highlight-request", "traceparent", "baggage"]])
        #expect(sessions == Self.messages)
        let refused = try await bench("consume", topic: topic, ["--mode", "raw-headers"])
        #expect(refused.status != 0 && refused.errors.contains("--mode raw-headers is for produce only"), "\(refused.errors)")
    }

    @Test func rawCopyIsRefusedForProducing() async throws {
        let run = try await HLKafkaCommandLineTests.run(["bench", "produce", "--mode", "raw-copy"])
        #expect(run.status != 0)
        #expect(run.errors.contains("--mode raw-copy is for consume only"))
    }
}
