import ArgumentParser
import Foundation
import Highlight
import HighlightKafka
import HighlightKafkaClient
import HighlightKafkaTesting
import HighlightPropagation
import Instrumentation
import ServiceLifecycle
import Synchronization

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Messages per second of the raw C client, the plain Swift client and the traced wrapper, side by side.",
        discussion: """
            Without --bootstrap-servers the embedded mock cluster is used. produce sends --messages values of \
            --value-bytes bytes (the traced mode inside a request context, so every record gets injected headers); \
            consume first fills a topic through the traced producer, then each mode reads it from the beginning. \
            Build with -c release for meaningful numbers (make bench does).

            Examples:
              $ hlkafka bench produce --messages 200000
              $ hlkafka bench consume --mode traced --export --json
            """
    )

    @Argument(help: "produce or consume")
    var operation: Operation

    @Option(name: .long, help: "Messages per run.")
    var messages = 100_000

    @Option(name: .long, help: "Bytes per value.")
    var valueBytes = 100

    @Option(name: .long, help: "Only this mode: raw, raw-headers (produce: raw C sending the headers the wrapper writes), raw-copy (consume: raw C copying each message as the Swift client does), plain, plain-headers (produce: the plain client sending the headers the wrapper writes, made once), traced (a span per message) or propagate (the wrapper without spans); default all of the operation's.")
    var mode: Mode?

    @Option(name: [.customShort("b"), .long], help: "An existing cluster instead of the embedded one.")
    var bootstrapServers: String?

    @Option(name: [.customShort("t"), .long], help: "With --bootstrap-servers: the topic (consume reads --messages from its beginning).")
    var topic: String?

    @Flag(name: .long, help: "One JSON line per run.")
    var json = false

    @Option(name: .long, help: "traced mode: highlight (this package's tracer, default) or otel (swift-otel's, for comparison).")
    var tracer: BenchTracer = .highlight

    @Flag(name: .long, help: "traced mode with --tracer highlight: export every span over OTLP/HTTP (protobuf, gzip) to a receiver in this process; prints spans exported and dropped.")
    var export = false

    @Flag(name: .long, help: "consume: also sample the allocator's bytes in use (glibc) beside resident memory. It slows the run (glibc walks its free lists under their locks), so leave it off for throughput.")
    var heapStatistics = false

    @Option(name: .long, help: "consume, plain/traced/propagate: a librdkafka consumer property KEY=VALUE (repeatable), e.g. queued.max.messages.kbytes=4096.")
    var consumerProperty: [String] = []

    /// ``consumerProperty`` as a dictionary.
    var properties: [String: String] {
        Dictionary(consumerProperty.compactMap { pair in
            pair.firstIndex(of: "=").map { (String(pair[..<$0]), String(pair[pair.index(after: $0)...])) }
        }, uniquingKeysWith: { $1 })
    }

    func validate() throws {
        if let bad = consumerProperty.first(where: { !$0.contains("=") || $0.hasPrefix("=") }) {
            throw ValidationError("--consumer-property \(bad): expected KEY=VALUE")
        }
        guard messages > 0, valueBytes >= 0 else { throw ValidationError("--messages must be positive and --value-bytes not negative") }
        if bootstrapServers != nil && topic == nil { throw ValidationError("--bootstrap-servers needs --topic") }
        if export && tracer == .otel { throw ValidationError("--export goes with --tracer highlight (swift-otel's figure is without export)") }
        if mode == .rawCopy && operation == .produce { throw ValidationError("--mode raw-copy is for consume only") }
        if mode == .rawHeaders && operation == .consume { throw ValidationError("--mode raw-headers is for produce only (consume's raw mode reads the same headers)") }
        if mode == .plainHeaders && operation == .consume { throw ValidationError("--mode plain-headers is for produce only") }
    }

    func run() async throws {
        let operation = self.operation, messages = self.messages, valueBytes = self.valueBytes
        let modes = mode.map { [$0] } ?? Mode.all(for: operation)
        let json = self.json, heapStatistics = self.heapStatistics, properties = self.properties
        // The traced mode's label names the tracer and the export, so that runs of each can sit in one table.
        let tracedLabel = export ? "traced-export" : tracer == .otel ? "traced-otel" : "traced"
        let exporting = export
        let external = bootstrapServers.map { ($0, topic!) }
        try await BenchTelemetry.run(tracer: tracer, export: export) {
            #if DEBUG
            Output.progress("hlkafka bench: warning: this is a debug build; its figures say little. Build with -c release (make bench does).")
            #endif
            // SIGINT/SIGTERM: the run in progress stops early and reports what it did; no further mode starts; exit 130.
            let stopping = StopRequest()
            try await withGracefulShutdownHandler {
                let cluster: KafkaMockCluster? = external == nil ? try KafkaMockCluster(brokers: 1) : nil
                let servers = external?.0 ?? cluster!.bootstrapServers
                // The mock cluster keeps about 5 MB per partition: spread the volume so nothing is deleted mid-run.
                let partitions = Swift.max(4, messages * (valueBytes + 200) / 2_000_000 + 1)
                func freshTopic(_ name: String) throws -> String {
                    guard let cluster else { return external!.1 }
                    let topic = "bench-\(name)-\(UInt32.random(in: 0...UInt32.max))"
                    try cluster.createTopic(topic, partitions: partitions)
                    return topic
                }

                var results: [Result] = []
                var consumeTopic: String?
                if operation == .consume {
                    let topic = try freshTopic("consume")
                    if external == nil {
                        Output.progress("hlkafka bench: filling \(topic) with \(messages) messages")
                        _ = try await Self.produceTraced(
                            servers: servers, topic: topic, messages: messages, valueBytes: valueBytes, keyed: true, fill: true, stopping: stopping
                        )
                    }
                    consumeTopic = topic
                }
                for mode in modes {
                    guard !stopping.requested else { break }
                    Output.progress("hlkafka bench: \(operation.rawValue) \(messages) x \(valueBytes) B, mode \(mode.rawValue)")
                    let droppedBefore = Highlight.statistics.spansDropped
                    let seconds: Double
                    var growth: ResidentGrowth.Report?
                    var read = messages
                    switch (operation, mode) {
                    case (.produce, .raw):
                        seconds = try Self.runRaw("produce", servers: servers, topic: try freshTopic("raw"), messages: messages, valueBytes: valueBytes)
                    case (.produce, .plain):
                        (seconds, read) = try await Self.producePlain(
                            servers: servers, topic: try freshTopic("plain"), messages: messages, valueBytes: valueBytes, stopping: stopping
                        )
                    case (.produce, .plainHeaders):
                        (seconds, read) = try await Self.producePlain(
                            servers: servers, topic: try freshTopic("plain-headers"), messages: messages, valueBytes: valueBytes,
                            headers: Self.propagatedHeaders(), stopping: stopping
                        )
                    case (.produce, .traced):
                        (seconds, read) = try await Self.produceTraced(
                            servers: servers, topic: try freshTopic("traced"), messages: messages, valueBytes: valueBytes, stopping: stopping
                        )
                    case (.produce, .propagate):
                        (seconds, read) = try await Self.produceTraced(
                            servers: servers, topic: try freshTopic("propagate"), messages: messages, valueBytes: valueBytes, createSpans: false,
                            stopping: stopping
                        )
                    case (.produce, .rawHeaders):
                        seconds = try Self.runRaw(
                            "produce", servers: servers, topic: try freshTopic("raw-headers"), messages: messages, valueBytes: valueBytes,
                            headers: Self.propagatedHeaders()
                        )
                    case (.produce, .rawCopy):
                        throw ValidationError("--mode raw-copy is for consume only")
                    case (.consume, .rawHeaders):
                        throw ValidationError("--mode raw-headers is for produce only (consume's raw mode reads the same headers)")
                    case (.consume, .raw):
                        seconds = try Self.runRaw("consume", servers: servers, topic: consumeTopic!, messages: messages, valueBytes: valueBytes)
                    case (.consume, .rawCopy):
                        seconds = try Self.runRaw("consume-copy", servers: servers, topic: consumeTopic!, messages: messages, valueBytes: valueBytes)
                    case (.consume, .plainHeaders):
                        throw ValidationError("--mode plain-headers is for produce only (consume's plain mode reads the same headers)")
                    case (.consume, .plain):
                        (seconds, growth, read) = try await Self.consumePlain(
                            servers: servers, topic: consumeTopic!, messages: messages, properties: properties, sampleHeap: heapStatistics
                        )
                    case (.consume, .traced):
                        (seconds, growth, read) = try await Self.consumeTraced(
                            servers: servers, topic: consumeTopic!, messages: messages, properties: properties, sampleHeap: heapStatistics
                        )
                    case (.consume, .propagate):
                        (seconds, growth, read) = try await Self.consumeTraced(
                            servers: servers, topic: consumeTopic!, messages: messages, createSpans: false, properties: properties,
                            sampleHeap: heapStatistics
                        )
                    }
                    if read < messages { Output.progress("hlkafka bench: \(mode.rawValue) read \(read) of \(messages) messages") }
                    var result = Result(
                        mode: mode == .traced ? tracedLabel : mode.rawValue, operation: operation.rawValue, messages: read, seconds: seconds,
                        messagesPerSecond: seconds > 0 ? Double(read) / seconds : 0,
                        residentGrowthMB: growth.map { Double($0.sinceWarmUp) / 1_048_576 },
                        residentGrowthSecondHalfMB: growth.map { Double($0.overSecondHalf) / 1_048_576 },
                        heapGrowthMB: growth?.heapSinceWarmUp.map { Double($0) / 1_048_576 },
                        residentReadingsMB: growth?.residentReadings.map { $0.map { (Double($0) / 104_857.6).rounded() / 10 } },
                        heapReadingsMB: growth.flatMap { $0.heapSinceWarmUp == nil ? nil : $0.heapReadings.map { $0.map { (Double($0) / 104_857.6).rounded() / 10 } } }
                    )
                    if exporting && mode == .traced { result.spansDropped = Highlight.statistics.spansDropped - droppedBefore }
                    results.append(result)
                    let memory = growth.map {
                        String(
                            format: ", resident memory %+.1f MB after warm-up (%+.1f MB over the second half; single readings %+.1f to %+.1f MB)",
                            Double($0.sinceWarmUp) / 1_048_576, Double($0.overSecondHalf) / 1_048_576,
                            Double($0.lowestSinceWarmUp) / 1_048_576, Double($0.highestSinceWarmUp) / 1_048_576
                        ) + ($0.heapSinceWarmUp.map { String(format: ", allocator bytes in use %+.1f MB", Double($0) / 1_048_576) } ?? "")
                    } ?? ""
                    Output(json: json).emit(result, text: "\(result.mode.padding(toLength: 13, withPad: " ", startingAt: 0)) \(operation.rawValue) \(read) msgs in \(String(format: "%.3f", seconds)) s = \(Int(result.messagesPerSecond)) msg/s\(memory)\(result.spansDropped.map { ", \($0) spans dropped" } ?? "")")
                }
                if !json, let raw = results.first(where: { $0.mode == "raw" }) {
                    for other in results where other.mode != "raw" {
                        print("\(other.mode)/raw = \(String(format: "%.1f", other.messagesPerSecond / raw.messagesPerSecond * 100))%")
                    }
                }
                withExtendedLifetime(cluster) {}
            } onGracefulShutdown: {
                stopping.request()
            }
            if stopping.requested { throw ExitCode(130) }
        }
    }

    /// Every message sent was delivered; a run stopped by a signal only waits for what was in flight (a slow cluster
    /// may fail some of it by its message timeout meanwhile), and ends with 130 rather than as a failed run.
    static func check(_ statistics: KafkaProducerStatistics, _ messages: Int, stopping: StopRequest) throws {
        guard statistics.delivered == messages, statistics.failed == 0 else {
            if stopping.requested {
                Output.progress("hlkafka bench: interrupted with \(messages - statistics.delivered) of \(messages) messages undelivered")
                return
            }
            throw BenchFailure(description: "\(statistics.delivered) of \(messages) delivered, \(statistics.failed) failed")
        }
    }

    /// - Parameter headers: sent with every produced message (as NAME=VALUE arguments; the values are text).
    static func runRaw(_ operation: String, servers: String, topic: String, messages: Int, valueBytes: Int, headers: [KafkaHeader] = []) throws -> Double {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hlkafka-raw-baseline")
        let process = Process()
        process.executableURL = binary
        process.arguments = [operation, servers, topic, "\(messages)", "\(valueBytes)"]
            + headers.map { "\($0.name)=\($0.stringValue ?? "")" }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let line = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let seconds = line["seconds"] as? Double
        else { throw BenchFailure(description: "the raw baseline failed (build it: swift build --product hlkafka-raw-baseline)") }
        return seconds
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
