import Foundation
import HighlightTestSupport
import Testing

/// `hlkafka` refuses what a user mistyped, fails fast without a cluster, and reports what it did: each behaviour seen
/// from outside, as a user sees it (exit code and output), against the test cluster (the embedded one, or the broker
/// in `KAFKA_BOOTSTRAP_SERVERS`).
@Suite("hlkafka strict input, fail-fast and summaries", .timeLimit(.minutes(2)))
struct HLKafkaStrictnessTests {
    static let unreachable = "127.0.0.1:1"
    /// No `KAFKA_BOOTSTRAP_SERVERS` from the test's environment leaks into a run that must not have one.
    static let noDefaultServers = ["KAFKA_BOOTSTRAP_SERVERS": ""]

    static func run(_ arguments: [String], environment: [String: String] = noDefaultServers) async throws -> HLKafkaCommandLineTests.Run {
        let result = try await ChildProcess.run(HLKafkaCommandLineTests.executable, arguments, environment: environment)
        return .init(status: result.status, output: result.output, errors: result.errors)
    }

    @Test(arguments: [
        ("--traceparent", "garbage", "does not have the expected shape"),
        ("--x-highlight-request", "a\r\nb/c", "control character"),
        ("--x-highlight-request", "sé/r", "non-ASCII"),
        ("--baggage", "not a baggage;;;", "does not have the expected shape"),
        ("--x-highlight-request", String(repeating: "a", count: 300) + "/r", "limit of 256 bytes (this value has 302)"),
    ])
    func aMalformedPropagationValueIsAUsageErrorNamingTheFlagAndTheRule(flag: String, value: String, rule: String) async throws {
        // Refused before any connection: the unreachable address is never tried.
        let run = try await Self.run(["produce", "-b", Self.unreachable, "-t", "orders", flag, value])
        #expect(run.status == 64, "\(run.errors)")
        #expect(run.errors.contains("\(flag): "), "\(run.errors)")
        #expect(run.errors.contains(rule), "\(run.errors)")
        #expect(run.errors.contains("--lenient"))
        #expect(!run.errors.contains("\r"), "the value itself is never echoed")
    }

    @Test func lenientSendsTheRecordWithoutTheRefusedValueAndWarns() async throws {
        let topic = try await TestKafka.makeTopic("cli-lenient")
        let run = try await Self.run([
            "produce", "-b", TestKafka.environment.bootstrapServers, "-t", topic, "--lenient", "--json",
            "--x-highlight-request", "sé/r", "--baggage", "tenant=acme",
        ])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.errors.contains("warning: --x-highlight-request"), "\(run.errors)")
        let lines = run.jsonLines
        #expect(lines.count == 1)
        #expect(lines.first?["sessionSecureId"] is NSNull, "the refused session is not sent")
        #expect(run.errors.contains("sent 1 of 1"), "\(run.errors)")
    }

    @Test(arguments: ["produce", "consume", "inspect"])
    func anUnreachableClusterFailsWithinTheTimeoutWithExit69AndAHint(command: String) async throws {
        let extra = command == "consume" ? ["--group", "g"] : []
        let run = try await Self.run([command, "-b", Self.unreachable, "-t", "orders", "--timeout", "1"] + extra)
        #expect(run.status == 69, "\(run.errors)")
        #expect(run.errors.contains("no Kafka broker answered at \(Self.unreachable) within 1 s"), "\(run.errors)")
        #expect(run.errors.contains("hlkafka mock-cluster"), "the hint names a way to get a cluster")
    }

    @Test func withoutAnyServersTheUsageErrorSaysWhereToPutThem() async throws {
        let run = try await Self.run(["produce", "-t", "orders"])
        #expect(run.status == 64)
        #expect(run.errors.contains("KAFKA_BOOTSTRAP_SERVERS"), "\(run.errors)")
        let blank = try await Self.run(["produce", "--bootstrap-servers", "", "-t", "orders"])
        #expect(blank.status == 64, "an empty --bootstrap-servers is refused too")
    }

    @Test func kafkaBootstrapServersIsTheDefaultAndShortFlagsWork() async throws {
        let topic = try await TestKafka.makeTopic("cli-env")
        let run = try await Self.run(
            ["produce", "-t", topic, "-c", "3", "--json"],
            environment: ["KAFKA_BOOTSTRAP_SERVERS": TestKafka.environment.bootstrapServers]
        )
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.jsonLines.count == 3)
        #expect(run.errors.contains("sent 3 of 3 to \(topic)"), "\(run.errors)")
    }

    @Test func inspectOfAMissingTopicExitsOneAndCreatesNothing() async throws {
        let topic = "cli-missing-\(UUID().uuidString.prefix(8).lowercased())"
        let servers = TestKafka.environment.bootstrapServers
        for _ in 0..<2 {  // the second look finds it missing again: the first created nothing
            let run = try await Self.run(["inspect", "-b", servers, "-t", topic])
            #expect(run.status == 1, "\(run.errors)")
            #expect(run.errors.contains("topic \(topic) does not exist"), "\(run.errors)")
        }
    }

    @Test func versionIsPrinted() async throws {
        let run = try await Self.run(["--version"])
        #expect(run.status == 0)
        #expect(run.output.split(separator: ".").count == 3, "\(run.output)")
    }

    @Test func anInterruptedProduceSaysHowManyWereSentAndExits130() async throws {
        let topic = try await TestKafka.makeTopic("cli-interrupt")
        let child = try ChildProcess(
            HLKafkaCommandLineTests.executable,
            ["produce", "-b", TestKafka.environment.bootstrapServers, "-t", topic, "-c", "100000000", "--json"],
            environment: Self.noDefaultServers,
            errors: .collect
        )
        var lines = child.lines.makeAsyncIterator()
        let first = await lines.next()
        #expect(first?.contains("\"offset\"") == true, "deliveries are printed as they arrive")
        child.process.interrupt()
        while await lines.next() != nil {}
        let status = await child.exitStatus()
        let errors = await child.collectedErrors()
        #expect(status == 130, "\(errors)")
        #expect(errors.contains("of 100000000 to \(topic)"), "\(errors)")
        #expect(errors.contains("interrupted"), "\(errors)")
    }
}

extension HLKafkaStrictnessTests {
    @Test func demoServeOnABusyPortFailsAtOnceNamingThePort() async throws {
        let busy = try ListeningSocket()
        defer { busy.close() }
        let run = try await Self.run(["demo", "--serve", "--port", "\(busy.port)", "--page-port", "0", "--grpc-port", "0"])
        #expect(run.status != 0)
        #expect(run.errors.contains("127.0.0.1:\(busy.port)"), "\(run.errors)")
        #expect(run.errors.contains("--port 0"), "the message says how to get a free port")
    }
}

/// A TCP socket listening on a free loopback port, to make that port busy.
private struct ListeningSocket {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && listen(descriptor, 1) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            _ = Glibc.close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}

extension HLKafkaStrictnessTests {
    @Test(arguments: ["plain", "traced"])
    func benchConsumeOfATopicHoldingFewerMessagesReadsWhatIsThereAndSaysSo(mode: String) async throws {
        let topic = try await TestKafka.makeTopic("bench-short")
        let produced = try await Self.run(["produce", "-b", TestKafka.environment.bootstrapServers, "-t", topic, "-c", "50", "-q"])
        #expect(produced.status == 0, "\(produced.errors)")
        // Both spellings of the connection options, as every other command takes them.
        let connection = mode == "plain"
            ? ["-b", TestKafka.environment.bootstrapServers, "-t", topic]
            : ["--bootstrap-servers", TestKafka.environment.bootstrapServers, "--topic", topic]
        let run = try await Self.run(["bench", "consume"] + connection + ["--messages", "1000", "--mode", mode, "--json"])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.errors.contains("holds 50 of the 1000 messages asked for"), "\(run.errors)")
        #expect(run.jsonLines.first?["messages"] as? Int == 50, "the line gives the count really read")
    }

    @Test func anInterruptedBenchStopsAndExits130() async throws {
        // Filling 50 million messages into the embedded cluster would take minutes: the signal comes long before.
        // Through `sh -c 'exec ... 2>&1'` (the shell becomes hlkafka): its progress on standard error arrives as lines.
        let command = "exec '\(HLKafkaCommandLineTests.executable.path)' bench consume --messages 50000000 2>&1"
        let child = try ChildProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", command])
        var lines = child.lines.makeAsyncIterator()
        while let line = await lines.next(), !line.contains("filling") {}
        child.process.interrupt()
        var after: [String] = []
        while let line = await lines.next() { after.append(line) }
        #expect(await child.exitStatus() == 130, "\(after.suffix(10))")
    }
}
