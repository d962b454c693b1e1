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
        abstract: "Produce as a service would inside a request that carried the given inbound headers."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: "How many records.")
    var count = 1

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
        inbound[PropagationHeader.highlightRequest] = highlightRequest
        inbound[PropagationHeader.traceParent] = traceparent
        inbound[PropagationHeader.baggage] = baggage
        let inboundHeaders = inbound

        try await Telemetry.run {
            let producer = try TracedKafkaProducer(
                configuration: KafkaProducerConfiguration(bootstrapServers: connection.servers, clientID: "hlkafka-produce"),
                logger: Telemetry.quietLogger
            )
            // The request this run plays: its context is what a middleware would have restored.
            let requestContext = ServiceContext.extract(from: inboundHeaders)
            let stopping = StopRequest()
            try await withGracefulShutdownHandler {
            try await withSpan("hlkafka produce", context: requestContext, ofKind: .server) { span in
                for _ in 0..<count where !stopping.requested {
                    let (receipt, sent) = try await producer.sendReportingHeaders(
                        KafkaProducerRecord(topic: connection.topic, key: key, value: value, headers: headers)
                    )
                    let carried = ServiceContext.extract(from: sent, using: KafkaHeadersExtractor(), instrument: HighlightPropagator())
                    let trace = carried.w3cTraceContext
                    let line = Line(
                        topic: receipt.topic,
                        partition: receipt.partition,
                        offset: receipt.offset,
                        traceId: trace.map { "\($0.traceID)" },
                        spanId: trace.map { "\($0.spanID)" },
                        sessionSecureId: carried.highlightRequest?.sessionSecureID,
                        requestId: carried.highlightRequest?.requestID
                    )
                    output.emit(
                        line,
                        text: "delivered \(receipt.topic)[\(receipt.partition)]@\(receipt.offset) session=\(line.sessionSecureId ?? "-") request=\(line.requestId ?? "-") trace=\(line.traceId ?? "-") span=\(line.spanId ?? "-")"
                    )
                }
            }
            } onGracefulShutdown: {
                // SIGINT/SIGTERM: stop sending; what was sent is flushed below before the process exits.
                stopping.request()
            }
            await producer.shutdown()
        }
    }
}

/// Set once a graceful shutdown was requested.
final class StopRequest: Sendable {
    private let flag = Atomic<Bool>(false)
    var requested: Bool { flag.load(ordering: .relaxed) }
    func request() { flag.store(true, ordering: .relaxed) }
}
