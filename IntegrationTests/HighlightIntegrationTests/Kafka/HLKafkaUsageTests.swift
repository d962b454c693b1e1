import Foundation
import HighlightTestSupport
import Testing

/// Usage errors say what was wrong and exit 64, as the other validation errors do.
@Suite("hlkafka usage errors", .timeLimit(.minutes(2)))
struct HLKafkaUsageTests {
    @Test(arguments: [
        (["mock-cluster", "--topic", "orders:x"], "--topic orders:x: expected NAME or NAME:PARTITIONS"),
        (["mock-cluster", "--brokers", "0"], "--brokers must be at least 1"),
        (["consume", "-b", "127.0.0.1:1", "-t", "orders", "-G", "g", "--max", "-1"], "--max must be positive"),
        (["produce", "-b", "127.0.0.1:1", "-t", "orders", "-c", "-5"], "--count must not be negative"),
        (["produce", "--bootstrap-server", "127.0.0.1:1", "-t", "orders"], "Did you mean '--bootstrap-servers'"),
        (["consume", "--broker-list", "127.0.0.1:1", "-t", "orders", "-G", "g"], "Did you mean '--bootstrap-servers'"),
    ])
    func aUsageErrorNamesTheProblemAndExits64(arguments: [String], message: String) async throws {
        let run = try await HLKafkaStrictnessTests.run(arguments)
        #expect(run.status == 64, "\(run.errors)")
        #expect(run.errors.contains(message), "\(run.errors)")
        #expect(!run.errors.contains("Usage: hlkafka <subcommand>"), "the usage shown is the subcommand's")
    }

    @Test func inspectShowsAMalformedValueWithItsLettersAndItsControlCharactersEscaped() async throws {
        let topic = try await TestKafka.makeTopic("cli-inspect-utf8")
        let servers = TestKafka.environment.bootstrapServers
        let produced = try await HLKafkaStrictnessTests.run(["produce", "-b", servers, "-t", topic, "-q", "--header", "x-highlight-request=sé/r\u{1B}[2J"])
        #expect(produced.status == 0, "\(produced.errors)")
        let run = try await HLKafkaStrictnessTests.run(["inspect", "-b", servers, "-t", topic, "--json"])
        #expect(run.status == 0, "\(run.errors)")
        let examples = run.jsonLines.first?["malformedExamples"] as? [[String: Any]]
        #expect(examples?.first?["value"] as? String == #"sé/r\u{1B}[2J"#, "\(run.output)")
    }
}
