import UnixSignals
import ArgumentParser
import Foundation
import HighlightKafkaTesting
import ServiceLifecycle

struct MockClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-cluster",
        abstract: "Run librdkafka's embedded mock cluster until SIGINT or SIGTERM.",
        discussion: """
            The first line printed is bootstrap.servers=<list>; point any Kafka client at it.

            Examples:
              $ hlkafka mock-cluster --topic orders:3
              $ hlkafka mock-cluster --brokers 3 --topic orders:12 --topic payments
            """
    )

    @Option(name: .long, help: "How many brokers.")
    var brokers = 1

    @Option(name: .long, help: "A topic to create, NAME or NAME:PARTITIONS (repeatable).")
    var topic: [String] = []

    /// The `--topic` specs as names and partition counts; `nil` for a spec that is not NAME or NAME:PARTITIONS.
    static func parse(_ spec: String) -> (name: String, partitions: Int)? {
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let name = parts.first, !name.isEmpty else { return nil }
        guard parts.count == 2 else { return (String(name), 1) }
        guard let partitions = Int(parts[1]), partitions > 0 else { return nil }
        return (String(name), partitions)
    }

    func validate() throws {
        guard brokers > 0 else { throw ValidationError("--brokers must be at least 1") }
        for spec in topic where Self.parse(spec) == nil {
            throw ValidationError("--topic \(spec): expected NAME or NAME:PARTITIONS with a positive partition count, e.g. orders:3")
        }
    }

    func run() async throws {
        let cluster = try KafkaMockCluster(brokers: brokers)
        for case let (name, partitions)? in topic.map(Self.parse) {
            try cluster.createTopic(name, partitions: partitions)
        }
        let servers = cluster.bootstrapServers
        // Printed from inside the group, once SIGINT and SIGTERM are trapped: whoever reads this line may stop us.
        try await CommandGroup.run(services: []) {
            FileHandle.standardOutput.write(Data("bootstrap.servers=\(servers)\n".utf8))
            try? await gracefulShutdown()
        }
        withExtendedLifetime(cluster) {}
    }
}
