import ArgumentParser
import OTel

@main
struct HLKafka: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hlkafka",
        abstract: "See highlight session propagation on your own Kafka topics."
    )
}
