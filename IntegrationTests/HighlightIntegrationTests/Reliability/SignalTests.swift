import Foundation
import HighlightKafkaClient
import HighlightTestSupport
import Testing

@Suite("Reliability: SIGTERM", .timeLimit(.minutes(3)))
struct SignalTests {
    /// `hlkafka` started with its standard output read as JSON lines; standard error is collected when asked.
    struct Child {
        let child: ChildProcess
        private(set) var lines: [[String: Any]] = []
        private var iterator: AsyncStream<String>.AsyncIterator

        init(_ arguments: [String], environment: [String: String] = [:], errors: ChildProcess.Errors = .discard) throws {
            child = try ChildProcess(HLKafkaCommandLineTests.executable, arguments, environment: environment, errors: errors)
            iterator = child.lines.makeAsyncIterator()
        }

        /// Reads output until `count` lines have come (or the output ended).
        mutating func read(until count: Int) async {
            while lines.count < count, let line = await iterator.next() {
                if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] { lines.append(object) }
            }
        }

        /// Sends SIGTERM, reads the rest of the output and returns the exit status with the time the exit took.
        mutating func terminate() async -> (status: Int32, seconds: Duration) {
            let signalled = ContinuousClock.now
            child.signal(SIGTERM)
            await read(until: .max)
            let status = await child.exitStatus()
            return (status, ContinuousClock.now - signalled)
        }
    }

    @Test func sigtermDuringConsumptionFinishesHandlersCommitsAndExitsZero() async throws {
        let topic = try await TestKafka.makeTopic("sigterm-consume", partitions: 2)
        let producer = try TestKafka.producer()
        for index in 0..<3000 { try await producer.sendAndForget(KafkaProducerRecord(topic: topic, value: "\(index)")) }
        try await producer.flush()
        await producer.shutdown()

        let group = "sigterm-\(topic)"
        var consumer = try Child(["consume", "--bootstrap-servers", TestKafka.environment.bootstrapServers, "--topic", topic, "--group", group, "--json"])
        await consumer.read(until: 100)
        let (status, _) = await consumer.terminate()
        #expect(consumer.child.process.terminationReason == .exit)
        #expect(status == 0)

        // Everything handled before the signal is committed: the group resumes right after it.
        let handled = consumer.lines
        #expect(handled.count >= 100)
        var next: [Int32: Int64] = [:]
        for line in handled {
            let partition = Int32(line["partition"] as! Int)
            next[partition] = max(next[partition] ?? 0, Int64(line["offset"] as! Int) + 1)
        }
        let committed = try await TestKafka.committedOffsets(group: group, topic: topic, partitions: [0, 1])
        for position in committed {
            if let expected = next[position.topicPartition.partition] {
                #expect(position.offset == expected, "\(position)")
            } else {
                #expect(position.offset < 0, "nothing handled, nothing committed: \(position)")
            }
        }
        Reliability.report("SIGTERM during consumption", sent: 3000, handled: handled.count, duplicated: 0, lost: 0, seconds: 0)
    }

    /// The telemetry queue too: a consumer exporting to an OTLP endpoint is stopped by SIGTERM, and the log record of
    /// every message it handled reaches the backend before it exits, within the facade's shutdown wait (5 s).
    @Test func sigtermFlushesTheTelemetryQueueWithinTheShutdownWait() async throws {
        let receiver = try await OTLPTestReceiver.start()
        let topic = try await TestKafka.makeTopic("sigterm-telemetry", partitions: 2)
        let producer = try TestKafka.producer()
        // Fewer than a batch (512) and a 10-minute batch timer: nothing is exported before the signal, so every log
        // record the receiver gets was sent by the shutdown's flush.
        for index in 0..<400 { try await producer.sendAndForget(KafkaProducerRecord(topic: topic, value: "\(index)")) }
        try await producer.flush()
        await producer.shutdown()

        var consumer = try Child(
            ["consume", "--bootstrap-servers", TestKafka.environment.bootstrapServers, "--topic", topic, "--group", "telemetry-\(topic)", "--json"],
            environment: Self.telemetry(to: receiver).merging([
                "OTEL_SERVICE_NAME": "sigterm-telemetry", "OTEL_BLRP_SCHEDULE_DELAY": "600000", "OTEL_BSP_SCHEDULE_DELAY": "600000",
            ]) { $1 },
            errors: .collect
        )
        await consumer.read(until: 100)
        let (status, exitTime) = await consumer.terminate()
        #expect(consumer.child.process.terminationReason == .exit)
        #expect(status == 0)
        // Within the shutdown wait: the process says so when its flush used the whole wait (the test below shows it
        // does). The clock only catches a hang: on a loaded machine the rest of the exit (leaving the group, closing
        // the client) can take seconds of its own.
        let errors = await consumer.child.collectedErrors()
        #expect(!errors.contains("Telemetry shutdown used its whole wait"), "the flush did not fit in the wait: \(errors.suffix(2_000))")
        #expect(exitTime < .seconds(5) + .seconds(15), "exited in bounded time: \(exitTime)")

        let handled = Set(consumer.lines.map { "\($0["partition"]!)@\($0["offset"]!)" })
        let exported = Set(
            receiver.records.filter { $0.kind == "log" && $0.name == "hlkafka handled a message" }
                .compactMap { record in record.attributes["partition"].flatMap { p in record.attributes["offset"].map { "\(p)@\($0)" } } }
        )
        #expect(handled.count >= 100)
        let diagnostics = errors.split(separator: "\n").suffix(20).joined(separator: "\n")
        #expect(
            handled.subtracting(exported).isEmpty,
            "\(handled.subtracting(exported).count) of \(handled.count) handled messages have no exported log record; \(receiver.requests.count) export requests received; the consumer's last messages:\n\(diagnostics)"
        )
        Reliability.report(
            "SIGTERM during consumption, telemetry flushed", sent: 400, handled: handled.count, duplicated: 0,
            lost: handled.subtracting(exported).count, seconds: Double(exitTime.components.seconds) + Double(exitTime.components.attoseconds) / 1e18
        )
    }

    /// A backend too slow for the shutdown wait: the process still exits 0 in bounded time, and the loss of what was
    /// queued is said (a warning) and counted, never silent.
    @Test func aShutdownCutShortBySlowTelemetryIsReportedNotSilent() async throws {
        let (receiver, topic) = try await slowBackend(topic: "sigterm-slow-telemetry")
        defer { receiver.stop() }

        var consumer = try Child(
            ["consume", "--bootstrap-servers", TestKafka.environment.bootstrapServers, "--topic", topic, "--group", "slow-\(topic)", "--json"],
            environment: Self.telemetry(to: receiver).merging(Self.defaultShutdownWait) { $1 },
            errors: .collect
        )
        await consumer.read(until: 100)
        // A batch has gone out and is stuck in the slow backend (the receiver holds it for 30 s).
        try await withTimeout(.seconds(60)) { await receiver.waitForRequests(1) }
        let (status, exitTime) = await consumer.terminate()
        #expect(status == 0)
        // Well under the 30 s the backend holds the batch, with room for a loaded (or sanitized) machine's exit.
        #expect(exitTime < .seconds(5) + .seconds(15), "the 5 s shutdown wait bounds the exit, not the 30 s backend: \(exitTime)")
        let stderr = await consumer.child.collectedErrors()
        #expect(stderr.contains("Telemetry shutdown used its whole wait"), "the loss is reported")
    }

    /// A second SIGTERM while the first one's shutdown waits for a slow backend ends the process at once (143), saying
    /// what it abandons; the first says how to do that.
    @Test func aSecondSignalEndsTheShutdownAtOnce() async throws {
        let (receiver, topic) = try await slowBackend(topic: "second-signal")
        defer { receiver.stop() }

        let consumer = try ChildProcess(
            HLKafkaCommandLineTests.executable,
            ["consume", "-b", TestKafka.environment.bootstrapServers, "-t", topic, "-G", "second-\(topic)", "--json"],
            environment: Self.telemetry(to: receiver).merging(Self.defaultShutdownWait) { $1 },
            errors: .stream
        )
        var output = consumer.lines.makeAsyncIterator()
        for _ in 0..<100 { _ = await output.next() }
        // A batch is stuck in the slow backend: the graceful shutdown would wait its whole 5 s for it.
        try await withTimeout(.seconds(60)) { await receiver.waitForRequests(1) }
        consumer.signal(SIGTERM)
        var errors: [String] = []
        var errorLines = consumer.errorLines!.makeAsyncIterator()
        while let line = await errorLines.next() {
            errors.append(line)
            if line.contains("send it again to stop at once") { break }
        }
        #expect(errors.last?.contains("hlkafka: stopping (SIGTERM)") == true, "\(errors)")
        consumer.signal(SIGTERM)
        while let line = await errorLines.next() { errors.append(line) }
        while await output.next() != nil {}
        #expect(await consumer.exitStatus() == 143)
        #expect(errors.contains { $0.contains("stopping at once (SIGTERM again)") }, "\(errors)")
        #expect(!errors.contains { $0.contains("Telemetry shutdown used its whole wait") }, "it did not wait: \(errors)")
    }

    /// A produce stopped before its `--count` exits 130 (interrupted), after flushing what it sent.
    @Test func sigtermDuringProductionFlushesAndExits130() async throws {
        let topic = try await TestKafka.makeTopic("sigterm-produce")
        var producing = try Child(["produce", "--bootstrap-servers", TestKafka.environment.bootstrapServers, "--topic", topic, "--count", "1000000", "--json"])
        await producing.read(until: 20)
        let (status, _) = await producing.terminate()
        #expect(status == 130)
        let delivered = producing.lines
        #expect(delivered.count >= 20 && delivered.count < 1_000_000, "stopped early, after flushing what it sent")
        // Every reported delivery is really in the topic.
        let reader = try TestKafka.reader(topic: topic)
        let messages = try await collect(delivered.count, from: reader)
        await reader.shutdown()
        #expect(messages.count == delivered.count)
    }

    /// A backend that holds every request for 30 s, and a one-partition topic holding 500 messages.
    private func slowBackend(topic name: String) async throws -> (OTLPTestReceiver, topic: String) {
        let receiver = try await OTLPTestReceiver.start()
        receiver.setBehaviour(.slow(.seconds(30)))
        let topic = try await TestKafka.makeTopic(name, partitions: 1)
        let producer = try TestKafka.producer()
        for index in 0..<500 { try await producer.sendAndForget(KafkaProducerRecord(topic: topic, value: "\(index)")) }
        try await producer.flush()
        await producer.shutdown()
        return (receiver, topic)
    }

    /// The facade's default shutdown wait (5 s), stated for the tests that need it to run out: `make sanitize` gives
    /// every process a longer one (HIGHLIGHT_SHUTDOWN_TIMEOUT) for the flushes a sanitized build makes slow.
    static let defaultShutdownWait = ["HIGHLIGHT_SHUTDOWN_TIMEOUT": "5000"]

    /// A child's environment that sends its telemetry to `receiver` as uncompressed JSON.
    static func telemetry(to receiver: OTLPTestReceiver) -> [String: String] {
        [
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
            "OTEL_EXPORTER_OTLP_COMPRESSION": "none",
        ]
    }
}
