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

    func run() async throws {
        let cluster = try KafkaMockCluster(brokers: brokers)
        for spec in topic {
            let parts = spec.split(separator: ":", maxSplits: 1)
            let partitions = parts.count == 2 ? Int(parts[1]) : 1
            guard let partitions, partitions > 0 else {
                throw ValidationError("--topic \(spec): the partition count after ':' must be a positive number")
            }
            try cluster.createTopic(String(parts[0]), partitions: partitions)
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
