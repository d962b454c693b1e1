import Foundation
import HighlightTestSupport
import Testing

/// What `hlkafka consume` shows of each message and of the whole run: why a session is missing (never the refused
/// value), the value and, on request, the headers, failed attempts marked, and a summary on standard error.
@Suite("hlkafka consume output", .timeLimit(.minutes(2)))
struct HLKafkaConsumeOutputTests {
    @Test func refusedSessionsSayWhyAndTheSummaryCountsThem() async throws {
        let topic = try await TestKafka.makeTopic("cli-consume-output")
        let servers = TestKafka.environment.bootstrapServers
        // A session header set by hand that breaks the rules (a space), then a record in a request with a session.
        let refused = try await HLKafkaStrictnessTests.run(
            ["produce", "-b", servers, "-t", topic, "-q", "--header", "x-highlight-request=bad value/x", "--value", "héllo"]
        )
        #expect(refused.status == 0, "\(refused.errors)")
        let valid = try await HLKafkaStrictnessTests.run(["produce", "-b", servers, "-t", topic, "-q", "--x-highlight-request", "s1/r1"])
        #expect(valid.status == 0, "\(valid.errors)")

        let run = try await HLKafkaStrictnessTests.run([
            "consume", "-b", servers, "-t", topic, "-G", "output-\(topic)", "--max", "2", "--fail-every", "2", "--headers", "--json",
        ])
        #expect(run.status == 0, "\(run.errors)")
        let lines = run.jsonLines
        // Call 2 fails on purpose and is marked; its retry (call 3) is handled.
        #expect(lines.map { $0["outcome"] as? String } == ["handled", "failed", "handled"])
        #expect(lines.first?["sessionSecureId"] is NSNull)
        #expect(lines.first?["refused"] as? [String] == ["x-highlight-request: it contains a character the format does not allow"])
        #expect(lines.first?["value"] as? String == "héllo")
        #expect(lines.first?["valueEncoding"] as? String == "utf8")
        #expect((lines.first?["headers"] as? [[String: Any]])?.contains { $0["name"] as? String == "traceparent" } == true)
        #expect(lines.last?["sessionSecureId"] as? String == "s1")
        #expect((lines.last?["refused"] as? [String])?.isEmpty == true)
        #expect(run.errors.contains("handled 2 message(s) in 3 handler call(s); 50.0% with a session"), "\(run.errors)")
        #expect(run.errors.contains("refused: x-highlight-request: it contains a character the format does not allow (1)"), "\(run.errors)")

        // Without --headers the refused value is shown nowhere, in either output form.
        for format in [["--json"], []] {
            let quiet = try await HLKafkaStrictnessTests.run(["consume", "-b", servers, "-t", topic, "-G", "plain-\(format.count)-\(topic)", "--max", "2"] + format)
            #expect(quiet.status == 0, "\(quiet.errors)")
            #expect(quiet.output.contains("x-highlight-request: it contains a character the format does not allow"))
            #expect(!quiet.output.contains("bad value") && !quiet.errors.contains("bad value"))
        }
    }

    @Test func base64ValuesOnRequest() async throws {
        let topic = try await TestKafka.makeTopic("cli-consume-base64")
        let servers = TestKafka.environment.bootstrapServers
        _ = try await HLKafkaStrictnessTests.run(["produce", "-b", servers, "-t", topic, "-q", "--value", "hi"])
        let run = try await HLKafkaStrictnessTests.run([
            "consume", "-b", servers, "-t", topic, "-G", "b64-\(topic)", "--max", "1", "--value-format", "base64", "--json",
        ])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.jsonLines.first?["value"] as? String == "aGk=")
        #expect(run.jsonLines.first?["valueEncoding"] as? String == "base64")
        #expect(run.jsonLines.first?["headers"] is NSNull, "headers only with --headers")
    }

    /// `--idle-timeout` counts from the first assignment: joining a group takes longer than a second (the broker's
    /// initial rebalance delay alone is 3 s by default), so a one-second wait counted from the start would end the
    /// run before it read anything.
    @Test func theIdleTimeoutCountsFromTheFirstAssignment() async throws {
        let topic = try await TestKafka.makeTopic("cli-consume-idle")
        let servers = TestKafka.environment.bootstrapServers
        let produced = try await HLKafkaStrictnessTests.run(["produce", "-b", servers, "-t", topic, "-q", "-c", "3"])
        #expect(produced.status == 0, "\(produced.errors)")
        let run = try await HLKafkaStrictnessTests.run(["consume", "-b", servers, "-t", topic, "-G", "idle-\(topic)", "--idle-timeout", "1"])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.errors.contains("handled 3 message(s)"), "\(run.errors)")
    }
}
