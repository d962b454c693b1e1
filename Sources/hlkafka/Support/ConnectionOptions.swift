import Foundation
import ArgumentParser

/// Options every command that talks to Kafka takes, spelled as kcat spells them where it has them (`-b`, `-t`).
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: [.customShort("b"), .long],
        help: "Kafka bootstrap servers, host:port[,host:port...]. Default: $KAFKA_BOOTSTRAP_SERVERS."
    )
    var bootstrapServers: String?

    @Option(name: [.customShort("t"), .long], help: "The topic.")
    var topic: String

    @Flag(name: .long, help: "Print one JSON object per line instead of text.")
    var json = false

    @Option(name: .long, help: "Seconds to wait for the cluster to answer before giving up (exit 69).")
    var timeout = 10

    /// The servers given, or `$KAFKA_BOOTSTRAP_SERVERS`; empty entries left out.
    var servers: [String] {
        (bootstrapServers ?? ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"] ?? "")
            .split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    func validate() throws {
        guard !servers.isEmpty else {
            // kafka-console-*'s and other tools' spellings of the option (--bootstrap-server, --broker-list, --brokers)
            // and typos of it, caught here: say which one is meant.
            let nearMiss = CommandLine.arguments.first { argument in
                let name = argument.split(separator: "=").first.map(String.init) ?? argument
                return name != "--bootstrap-servers" && (name.hasPrefix("--boot") || name.hasPrefix("--brok"))
            }
            if let nearMiss {
                throw ValidationError("Unknown option '\(nearMiss)'. Did you mean '--bootstrap-servers' (or -b)?")
            }
            throw ValidationError(
                "No Kafka to talk to: pass --bootstrap-servers host:port (-b), or set KAFKA_BOOTSTRAP_SERVERS. "
                    + "For a local one: hlkafka mock-cluster --topic \(topic):3, then use the bootstrap.servers it prints."
            )
        }
        guard !topic.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--topic must not be empty") }
        guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
    }
}
