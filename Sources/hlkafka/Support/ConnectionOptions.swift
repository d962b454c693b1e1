import Foundation
import ArgumentParser

/// Options every command that talks to Kafka takes.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "Kafka bootstrap servers, host:port[,host:port...].")
    var bootstrapServers: String

    @Option(name: .long, help: "The topic.")
    var topic: String

    @Flag(name: .long, help: "Print one JSON object per line instead of text.")
    var json = false

    var servers: [String] { bootstrapServers.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) } }
}
