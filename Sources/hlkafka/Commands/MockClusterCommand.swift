import UnixSignals
import ArgumentParser
import Foundation
import HighlightKafkaTesting
import ServiceLifecycle

struct MockClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-cluster",
        abstract: "Run librdkafka's embedded mock cluster until SIGINT or SIGTERM.",
        discussion: "The first line printed is bootstrap.servers=<list>; point any Kafka client at it."
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
        FileHandle.standardOutput.write(Data("bootstrap.servers=\(cluster.bootstrapServers)\n".utf8))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: WaitForShutdown())],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: Telemetry.quietLogger
            )
        )
        try await group.run()
        withExtendedLifetime(cluster) {}
    }
}

/// Does nothing until asked to shut down.
struct WaitForShutdown: Service {
    func run() async throws {
        try? await gracefulShutdown()
    }
}
