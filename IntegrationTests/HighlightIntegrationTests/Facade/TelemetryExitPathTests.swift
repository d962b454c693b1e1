import HighlightTestSupport
import Foundation
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Instrumentation
import Testing

/// Telemetry is sent on every way a process stops. Each test runs a separate process whose batch timer (10 minutes)
/// and prompt error export are out of the way, so what reaches this process's OTLP receiver was sent by the exit
/// path under test; take that path's flush away and the test fails.
@Suite("Telemetry on every exit path", .timeLimit(.minutes(2)))
struct TelemetryExitPathTests {
    static var probe: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("highlight-exit-probe")
    }

    /// A running process with its standard output read line by line and its exit awaited without blocking a thread.
    struct Probe {
        let child: ChildProcess
        var lines: AsyncStream<String>.AsyncIterator
        var process: Process { child.process }

        static func start(endpoint: String, path: String) throws -> Probe {
            try start(TelemetryExitPathTests.probe, [endpoint, path])
        }

        static func start(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> Probe {
            let child = try ChildProcess(executable, arguments, environment: environment)
            return Probe(child: child, lines: child.lines.makeAsyncIterator())
        }

        /// Waits for the line the process prints at a step; fails if its output ends first.
        mutating func expectLine(_ expected: String) async throws {
            while let line = await lines.next() {
                if line == expected { return }
            }
            throw TestTimeout(description: "the process ended without printing '\(expected)'")
        }

        /// Every line up to the end of the output.
        mutating func remainingLines() async -> [String] {
            var all: [String] = []
            while let line = await lines.next() { all.append(line) }
            return all
        }
    }

    /// The probe's error, as the backend sees it: an `exception` event linked to the session of its path.
    static func exportedError(_ receiver: OTLPTestReceiver, path: String) -> OTLPTestReceiver.Record? {
        receiver.records.first { $0.kind == "event" && $0.name == "exception" && $0.attributes["highlight.session_id"] == "exit-\(path)" }
    }

    static func exportedLog(_ receiver: OTLPTestReceiver, path: String) -> OTLPTestReceiver.Record? {
        receiver.records.first { $0.kind == "log" && $0.name == "exit-path probe log (\(path))" }
    }

    /// Runs the probe to its end and checks that the error and the log arrived by then.
    static func expectExported(path: String, exitStatus: Int32, signal: Bool = false) async throws {
        let receiver = try await OTLPTestReceiver.start()
        var probe = try Probe.start(endpoint: receiver.endpoint, path: path)
        if signal {
            try await probe.expectLine("ready")
            probe.child.signal(SIGTERM)
        }
        let status = await probe.child.exitStatus()
        #expect(status == exitStatus)
        let error = try #require(exportedError(receiver, path: path), "no exception event for '\(path)'; \(receiver.requests.count) requests")
        #expect(error.attributes["exception.message"] == "exit-path probe failure (\(path))")
        #expect(error.attributes["highlight.trace_id"] == "request-\(path)")
        let log = try #require(exportedLog(receiver, path: path), "no log record for '\(path)'")
        #expect(log.attributes["highlight.session_id"] == "exit-\(path)")
    }

    @Test func gracefulShutdownSendsWhatIsQueued() async throws {
        try await Self.expectExported(path: "graceful", exitStatus: 0)
    }

    @Test func cancellationBecauseAnotherServiceThrewSendsWhatIsQueued() async throws {
        // ServiceLifecycle's default failure behaviour cancels the telemetry service.
        try await Self.expectExported(path: "cancelled", exitStatus: 1)
    }

    @Test func aBodyThatThrowsWithGracefulFailureBehaviourSendsWhatIsQueued() async throws {
        try await Self.expectExported(path: "thrown", exitStatus: 1)
    }

    @Test func sigtermSendsWhatIsQueued() async throws {
        try await Self.expectExported(path: "signal", exitStatus: 0, signal: true)
    }

    @Test func flushByHandSendsTheErrorAndTheLogWhileTheProcessRuns() async throws {
        let receiver = try await OTLPTestReceiver.start()
        var probe = try Probe.start(endpoint: receiver.endpoint, path: "flush")
        try await probe.expectLine("flushed")
        _ = try await receiver.waitFor(timeout: .seconds(30)) { _ in
            Self.exportedError(receiver, path: "flush") != nil && Self.exportedLog(receiver, path: "flush") != nil
        }
        // Killed, not stopped: nothing after this point could have sent anything.
        probe.child.signal(SIGKILL)
        _ = await probe.child.exitStatus()
        #expect(Self.exportedError(receiver, path: "flush")?.attributes["highlight.trace_id"] == "request-flush")
        #expect(receiver.records.filter { $0.kind == "event" && $0.name == "exception" }.count == 1, "sent once")
    }

    /// The issue's reproduction: `hlkafka consume --fail-every 1` fails three times, the default policy stops the
    /// consumer and the command exits 1. The three errors and the three log records reach the backend, with and
    /// without HIGHLIGHT_DEBUG; the batch timers are set to 10 minutes, so only the exit path can have sent the logs.
    @Test(arguments: [false, true])
    func aConsumerStoppedByItsErrorsExportsThemAndItsLogs(debug: Bool) async throws {
        let receiver = try await OTLPTestReceiver.start()
        let topic = try await TestKafka.makeTopic("exit-consume")
        let producer = TracedKafkaProducer(producer: try TestKafka.producer())
        _ = try await ServiceContext.withValue(ServiceContext.extract(from: ["x-highlight-request": "S1/R1"])) {
            try await producer.send(KafkaProducerRecord(topic: topic, value: "v"))
        }
        await producer.shutdown()

        var environment = [
            "HIGHLIGHT_PROJECT_ID": "p", "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json", "OTEL_EXPORTER_OTLP_COMPRESSION": "none",
            "OTEL_BSP_SCHEDULE_DELAY": "600000", "OTEL_BLRP_SCHEDULE_DELAY": "600000",
        ]
        if debug { environment["HIGHLIGHT_DEBUG"] = "1" }
        var consumer = try Probe.start(
            HLKafkaCommandLineTests.executable,
            ["consume", "--bootstrap-servers", TestKafka.environment.bootstrapServers, "--topic", topic, "--group", "exit-\(topic)",
             "--max", "1", "--idle-timeout", "60", "--fail-every", "1", "--json"],
            environment: environment
        )
        let handled = await consumer.remainingLines().filter { $0.hasPrefix("{") }
        let status = await consumer.child.exitStatus()
        #expect(status == 1, "the default policy stops the consumer after three failures")
        #expect(handled.count == 3, "three attempts of the one message: \(handled)")

        let errors = receiver.records.filter { $0.kind == "event" && $0.name == "exception" }
        #expect(errors.count == 3, "\(receiver.requests.count) requests: \(errors.map { "\($0.attributes["span.name"] ?? "-") \($0.attributes["exception.message"] ?? "-")" })")
        #expect(errors.allSatisfy { $0.attributes["highlight.session_id"] == "S1" && $0.attributes["highlight.trace_id"] == "R1" })
        #expect(errors.allSatisfy { $0.attributes["exception.message"]?.contains("failed on purpose") == true })
        let logs = receiver.records.filter { $0.kind == "log" && $0.name == "hlkafka handled a message" }
        #expect(logs.count == 3)
        #expect(logs.allSatisfy { $0.attributes["highlight.session_id"] == "S1" })
    }
}
