import Foundation
import HighlightTestSupport
import Testing

/// Drives the `hlkafka` executable in separate processes, as a user would.
@Suite("hlkafka command line", .timeLimit(.minutes(2)))
struct HLKafkaCommandLineTests {
    /// `hlkafka` is built next to the test bundle by `swift build --build-tests` (`make build`).
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hlkafka")
    }

    struct Run {
        let status: Int32
        let output: String
        let errors: String

        var jsonLines: [[String: Any]] {
            output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
    }

    /// Runs `hlkafka` to its end without blocking a thread of the cooperative pool (see ``ChildProcess``).
    static func run(_ arguments: [String]) async throws -> Run {
        let result = try await ChildProcess.run(executable, arguments)
        return Run(status: result.status, output: result.output, errors: result.errors)
    }

    /// Starts `hlkafka mock-cluster` and returns it with the bootstrap servers it printed first.
    static func startMockCluster(topic: String) async throws -> (ChildProcess, String) {
        let cluster = try ChildProcess(executable, ["mock-cluster", "--brokers", "1", "--topic", "\(topic):1"])
        var lines = cluster.lines.makeAsyncIterator()
        let line = await lines.next() ?? ""
        guard line.hasPrefix("bootstrap.servers=") else {
            cluster.signal(SIGTERM)
            throw TestTimeout(description: "mock-cluster printed '\(line)' instead of bootstrap.servers=...")
        }
        return (cluster, String(line.dropFirst("bootstrap.servers=".count)))
    }

    @Test func produceThenConsumeAcrossProcessesCarriesTheSessionAndTheTrace() async throws {
        let topic = "cli-orders"
        let (cluster, servers) = try await Self.startMockCluster(topic: topic)
        defer { cluster.signal(SIGTERM) }

        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let produced = try await Self.run([
            "produce", "--bootstrap-servers", servers, "--topic", topic, "--count", "2", "--key", "order-7",
            "--x-highlight-request", "cliSession/cliRequest", "--traceparent", "00-\(traceID)-00f067aa0ba902b7-01",
            "--baggage", "tenant=acme", "--json",
        ])
        #expect(produced.status == 0, "\(produced.errors)")
        let producedLines = produced.jsonLines
        #expect(producedLines.count == 2)
        for line in producedLines {
            for field in ["topic", "partition", "offset", "traceId", "spanId", "sessionSecureId", "requestId"] {
                #expect(line.keys.contains(field), "produce JSON has \(field)")
            }
            #expect(line["sessionSecureId"] as? String == "cliSession")
            #expect(line["requestId"] as? String == "cliRequest")
            #expect(line["traceId"] as? String == traceID)
        }

        let consumed = try await Self.run([
            "consume", "--bootstrap-servers", servers, "--topic", topic, "--group", "cli-group", "--max", "2",
            "--idle-timeout", "30", "--fail-every", "2", "--json",
        ])
        #expect(consumed.status == 0, "\(consumed.errors)")
        let consumedLines = consumed.jsonLines
        // Call 2 throws on purpose: offset 1 is handled twice, the second time as attempt 2.
        #expect(consumedLines.map { $0["offset"] as? Int } == [0, 1, 1])
        #expect(consumedLines.map { $0["attempt"] as? Int } == [1, 1, 2])
        for line in consumedLines {
            for field in ["topic", "partition", "offset", "key", "sessionSecureId", "requestId", "traceId", "spanId", "parentSpanId", "baggage", "attempt"] {
                #expect(line.keys.contains(field), "consume JSON has \(field)")
            }
            #expect(line["sessionSecureId"] as? String == "cliSession")
            #expect(line["requestId"] as? String == "cliRequest")
            #expect(line["traceId"] as? String == traceID)
            #expect(line["key"] as? String == "order-7")
            #expect((line["baggage"] as? [String: String])?["tenant"] == "acme")
        }
        // Each process span continues the send span of its message.
        // (produce prints deliveries as they arrive: ordered here by offset, as consume reads them)
        let sendSpans = producedLines.sorted { ($0["offset"] as? Int ?? 0) < ($1["offset"] as? Int ?? 0) }.map { $0["spanId"] as? String }
        #expect(consumedLines.map { $0["parentSpanId"] as? String } == [sendSpans[0], sendSpans[1], sendSpans[1]])

        cluster.process.interrupt()
        #expect(await cluster.exitStatus() == 0)
    }

    @Test func badArgumentsAreExplained() async throws {
        let result = try await Self.run(["mock-cluster", "--topic", "orders:zero"])
        #expect(result.status != 0)
        #expect(result.errors.contains("partition count"))
    }
}

@Suite("make demo", .timeLimit(.minutes(2)))
struct DemoCommandTests {
    /// What `make demo` runs: it must exit 0 and end with the summary showing every hop and the linked error.
    @Test func theDemoShowsTheWholeFullstackMapping() async throws {
        let result = try await HLKafkaCommandLineTests.run(["demo"])
        #expect(result.status == 0, "\(result.errors)")
        let output = result.output
        #expect(output.contains("Summary (one row per simulated browser request)"))
        #expect(!output.contains("PROBLEM:"))
        let rows = output.split(separator: "\n").filter { $0.contains("browser → api → inventory (gRPC) → kafka → worker") }
        #expect(rows.count == 4)
        #expect(rows.filter { $0.contains("(session matches)") }.count == 1)
        // The browser's own trace ids survive every hop.
        #expect(rows.contains { $0.contains("4bf92f3577b34da6a3ce929d0e0e4736") })
        #expect(rows.contains { $0.contains("0af7651916cd43dd8448eb211c80319c") })
        // Its duration is for people: tenths of a second, not nine digits.
        let finished = (result.output + result.errors).split(separator: "\n").first { $0.contains("finished in ") }
        #expect(finished?.wholeMatch(of: /==> finished in \d+\.\d s/) != nil, "\(finished ?? "no finished line")")
    }
}
