import Foundation
import W3CTraceContext
import ArgumentParser
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Instrumentation
import ServiceLifecycle
import Synchronization
import Tracing

struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Produce as a service would inside a request that carried the given inbound headers.",
        discussion: """
            Each record gets what the wrapper injects (x-highlight-request, traceparent, baggage); a line per \
            delivery, a summary on standard error.

            Examples:
              $ hlkafka produce -t orders -c 3 --x-highlight-request a1b2c3/req42
              $ hlkafka produce -t orders --x-highlight-request a1b2c3/req43 --json
              $ hlkafka produce -t orders --x-highlight-request a1/r3 --baggage tenant=acme
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: [.customShort("c"), .long], parsing: .unconditional, help: "How many records. Sent with up to 256 in flight; a line per delivery, in the order deliveries arrive.")
    var count = 1

    @Flag(name: [.customShort("q"), .long], help: "No progress on standard error (a summary line is still printed).")
    var quiet = false

    @Option(name: .long, help: "The value of each record.")
    var value = "hello from hlkafka"

    @Option(name: .long, help: "The key of each record.")
    var key: String?

    @Option(name: .long, help: "A header of your own, K=V (repeatable).")
    var header: [String] = []

    @Option(name: .customLong("x-highlight-request"), help: "The inbound x-highlight-request, SESSION/REQUEST.")
    var highlightRequest: String?

    @Option(name: .long, help: "The inbound W3C traceparent.")
    var traceparent: String?

    @Option(name: .long, help: "The inbound W3C baggage.")
    var baggage: String?

    @Flag(name: .long, help: "Send what passes the propagation rules and warn about the rest, instead of refusing a malformed --x-highlight-request, --traceparent or --baggage.")
    var lenient = false

    /// The inbound headers typed on the command line, by header name, with the flag each came from.
    var typedHeaders: [(flag: String, header: String, value: String)] {
        [
            ("--x-highlight-request", PropagationHeader.highlightRequest, highlightRequest),
            ("--traceparent", PropagationHeader.traceParent, traceparent),
            ("--baggage", PropagationHeader.baggage, baggage),
        ].compactMap { flag, header, value in value.map { (flag, header, $0) } }
    }

    struct Line: Encodable, Sendable {
        let topic: String
        let partition: Int32
        let offset: Int64
        @Nullable var traceId: String?
        @Nullable var spanId: String?
        @Nullable var sessionSecureId: String?
        @Nullable var requestId: String?
    }

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must not be negative") }
        for entry in header where !entry.contains("=") {
            throw ValidationError("--header \(entry): expected K=V")
        }
        guard !lenient else { return }
        for typed in typedHeaders {
            if let problem = StrictInput.problem(flag: typed.flag, header: typed.header, value: typed.value) {
                throw ValidationError("\(problem) (--lenient sends the record without it)")
            }
        }
    }

    func run() async throws {
        let output = Output(json: connection.json)
        let connection = self.connection
        let count = self.count, value = self.value, key = self.key
        let headers = header.map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1)
            return KafkaHeader(name: String(parts[0]), string: parts.count > 1 ? String(parts[1]) : "")
        }
        var inbound: [String: String] = [:]
        for typed in typedHeaders {
            // Only with --lenient can a value be refused here (validate() refuses it otherwise): say what is left out.
            if let problem = StrictInput.problem(flag: typed.flag, header: typed.header, value: typed.value) {
                Output.progress("hlkafka produce: warning: \(problem); sending without it")
            }
            inbound[typed.header] = typed.value
        }
        let inboundHeaders = inbound

        // Fails in --timeout seconds, exit 69, when no broker answers (a missing topic is fine: it may be created).
        _ = try await ClusterCheck.topic(connection, command: "produce")
        try await Telemetry.run {
            let producer = try TracedKafkaProducer(
                configuration: KafkaProducerConfiguration(bootstrapServers: connection.servers, clientID: "hlkafka-produce"),
                logger: Telemetry.quietLogger
            )
            // The request this run plays: its context is what a middleware would have restored.
            let requestContext = ServiceContext.extract(from: inboundHeaders)
            let stopping = StopRequest()
            let record = KafkaProducerRecord(topic: connection.topic, key: key, value: value, headers: headers)
            let started = ContinuousClock.now
            var outcome = SendOutcome()
            await withGracefulShutdownHandler {
                await withSpan("hlkafka produce", context: requestContext, ofKind: .server) { _ in
                    outcome = await Self.send(record, count: count, through: producer, output: output, quiet: quiet, stopping: stopping)
                }
            } onGracefulShutdown: {
                // SIGINT/SIGTERM: stop sending; what is in flight is waited for (each send ends delivered or failed).
                stopping.request()
            }
            await producer.shutdown()
            let seconds = (ContinuousClock.now - started).seconds
            Output.progress(
                "hlkafka produce: sent \(outcome.delivered) of \(count) to \(connection.topic) in \(String(format: "%.2f", seconds)) s"
                    + (outcome.failed > 0 ? ", \(outcome.failed) failed (\(outcome.firstError ?? "-"))" : "")
                    + (stopping.requested && outcome.delivered + outcome.failed < count ? ", interrupted" : "")
            )
            if outcome.failed > 0 { throw ExitCode.failure }
            if stopping.requested && outcome.delivered < count { throw ExitCode(130) }
        }
    }
}

/// Set once a graceful shutdown was requested.
final class StopRequest: Sendable {
    private let flag = Atomic<Bool>(false)
    var requested: Bool { flag.load(ordering: .relaxed) }
    func request() { flag.store(true, ordering: .relaxed) }
}
