import ArgumentParser
import Foundation
import Highlight

struct BenchExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-export",
        abstract: "Spans per second through the OTLP exporter alone: encoded (protobuf, gzip) and sent to a receiver in this process.",
        discussion: """
            The spans (Kafka consumer spans in a session, with their messaging attributes) are made before the clock \
            starts. The receiver shares the machine's cores.

            Examples:
              $ hlkafka bench-export
              $ hlkafka bench-export --spans 1000000 --json
            """
    )

    @Option(name: .long, help: "Spans to export.")
    var spans = 200_000

    @Flag(name: .long, help: "One JSON line.")
    var json = false

    struct Line: Encodable {
        let spans: Int
        let seconds: Double
        let spansPerSecond: Double
        let exported: Int
        let failedRequests: Int
    }

    func validate() throws {
        guard spans > 0 else { throw ValidationError("--spans must be positive") }
    }

    func run() async throws {
        let receiver = try await BenchReceiver.start()
        let result = await ExporterBenchmark.run(spans: spans, endpoint: "http://127.0.0.1:\(receiver.port)")
        await receiver.stop()
        let line = Line(
            spans: result.spans, seconds: result.seconds, spansPerSecond: Double(result.spans) / result.seconds,
            exported: result.exported, failedRequests: result.failedRequests
        )
        Output(json: json).emit(
            line,
            text: "export \(line.spans) spans in \(String(format: "%.3f", line.seconds)) s = \(Int(line.spansPerSecond)) spans/s (\(line.exported) accepted, \(line.failedRequests) failed requests; receiver: \(receiver.requests) requests, \(receiver.bytes) bytes)"
        )
        if line.exported != line.spans { throw ExitCode.failure }
    }
}
