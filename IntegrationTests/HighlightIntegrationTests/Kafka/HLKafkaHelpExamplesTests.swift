import Foundation
import HighlightTestSupport
import Testing

/// Every command's `--help` ends with worked examples; those of produce, consume, inspect and mock-cluster run here as
/// written, against the test cluster (`-b 127.0.0.1:9092` and the topic `orders` swapped for the test's).
@Suite("hlkafka --help examples", .timeLimit(.minutes(3)))
struct HLKafkaHelpExamplesTests {
    static let commands = ["demo", "mock-cluster", "produce", "consume", "inspect", "bench", "bench-export"]

    /// The example command lines of `hlkafka <command> --help`, as argument lists without the leading `hlkafka`.
    static func examples(of command: String) async throws -> [[String]] {
        let help = try await HLKafkaStrictnessTests.run([command, "--help"])
        #expect(help.status == 0, "\(help.errors)")
        let lines = help.output.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let start = lines.firstIndex(of: "Examples:") else { return [] }
        let examples = lines[(start + 1)...].prefix { $0.hasPrefix("$ hlkafka ") }
        // An example too long for the 80 columns help is wrapped to: its tail would be lost to copy and paste.
        let next = lines.dropFirst(start + 1 + examples.count).first
        #expect(next == nil || next?.isEmpty == true, "hlkafka \(command) --help: an example is wrapped before \(next ?? "")")
        return examples.map { line in
            line.dropFirst("$ hlkafka ".count).split(separator: " ").map(String.init)
        }
    }

    @Test(arguments: commands)
    func everyCommandsHelpEndsWithExamplesOfItself(command: String) async throws {
        let examples = try await Self.examples(of: command)
        #expect(examples.count >= 2, "hlkafka \(command) --help shows at least two examples")
        for example in examples { #expect(example.first == command, "\(example)") }
    }

    @Test func theKafkaExamplesRunAsWritten() async throws {
        let topic = try await TestKafka.makeTopic("help-examples", partitions: 3)
        let servers = TestKafka.environment.bootstrapServers
        func adapted(_ example: [String]) -> [String] {
            var arguments = example.map { $0 == "orders" ? topic : $0 == "127.0.0.1:9092" ? servers : $0 }
            if !arguments.contains("-b") { arguments += ["-b", servers] }
            return arguments
        }
        var produced = 0
        for example in try await Self.examples(of: "produce") {
            let run = try await HLKafkaStrictnessTests.run(adapted(example))
            #expect(run.status == 0, "\(example): \(run.errors)")
            produced += Int(example[example.firstIndex(of: "-c").map { $0 + 1 } ?? 0]) ?? 1
        }
        for example in try await Self.examples(of: "consume") {
            let run = try await HLKafkaStrictnessTests.run(adapted(example))
            #expect(run.status == 0, "\(example): \(run.errors)")
            #expect(run.errors.contains("handled"), "\(example) ends with its summary: \(run.errors)")
        }
        for example in try await Self.examples(of: "inspect") {
            let run = try await HLKafkaStrictnessTests.run(adapted(example))
            #expect(run.status == 0, "\(example): \(run.output) \(run.errors)")
            // Every record the produce examples sent carries a session.
            let covered = run.output.contains("session coverage: 100.0% of \(produced) message(s)")
                || run.jsonLines.contains { $0["coveragePercent"] as? Double == 100 && ($0["total"] as? [String: Any])?["messages"] as? Int == produced }
            #expect(covered, "\(example): \(run.output)")
        }
    }

    @Test func theMockClusterExamplesRunAsWritten() async throws {
        for example in try await Self.examples(of: "mock-cluster") {
            let child = try ChildProcess(HLKafkaCommandLineTests.executable, example, errors: .collect)
            var lines = child.lines.makeAsyncIterator()
            let first = await lines.next()
            #expect(first?.hasPrefix("bootstrap.servers=127.0.0.1:") == true, "\(example): \(first ?? "no output")")
            child.process.interrupt()
            let status = await child.exitStatus()
            let errors = await child.collectedErrors()
            #expect(status == 0, "\(example): \(errors)")
        }
    }
}
