import ArgumentParser

@main
struct HLKafka: AsyncParsableCommand {
    /// This package's version (no release is tagged yet).
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "hlkafka",
        abstract: "See highlight session propagation on your own Kafka topics.",
        discussion: """
            Every command runs a real tracer, so the trace and span ids it prints are its own spans' and what it \
            injects. Output is human-readable by default and JSON lines with --json.
            """,
        version: HLKafka.version,
        subcommands: [DemoCommand.self, MockClusterCommand.self, ProduceCommand.self, ConsumeCommand.self, InspectCommand.self, BenchCommand.self, BenchExportCommand.self]
    )

    static func main() async {
        ParentWatch.start()
        await main(nil)
    }
}
