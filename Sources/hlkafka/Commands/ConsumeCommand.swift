import Logging
import W3CTraceContext
import ArgumentParser
import Foundation
import Highlight
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Instrumentation
import HighlightSynchronization
import Synchronization

struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Consume through the context-restoring wrapper; print what each handler call sees."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: "The consumer group.")
    var group: String

    @Option(name: .long, help: "Exit 0 after handling this many messages.")
    var max: Int?

    @Option(name: .long, help: "Exit 0 after this many seconds without a message.")
    var idleTimeout: Double?

    @Option(name: .long, help: "Make every Kth handler call throw, to exercise the error path.")
    var failEvery: Int?

    @Flag(name: .long, help: "Link the process span to the producer's instead of continuing its trace.")
    var linkOnly = false

    struct Line: Encodable, Sendable {
        let topic: String
        let partition: Int32
        let offset: Int64
        @Nullable var key: String?
        @Nullable var sessionSecureId: String?
        @Nullable var requestId: String?
        @Nullable var traceId: String?
        @Nullable var spanId: String?
        @Nullable var parentSpanId: String?
        let baggage: [String: String]
        let attempt: Int
    }

    struct InjectedFailure: Error, CustomStringConvertible {
        let call: Int
        var description: String { "hlkafka --fail-every: handler call \(call) failed on purpose" }
    }

    func validate() throws {
        if let max, max <= 0 { throw ValidationError("--max must be positive") }
        if let failEvery, failEvery <= 0 { throw ValidationError("--fail-every must be positive") }
        if let idleTimeout, idleTimeout <= 0 { throw ValidationError("--idle-timeout must be positive") }
    }

    func run() async throws {
        let output = Output(json: connection.json)
        let connection = self.connection
        let group = self.group, max = self.max, failEvery = self.failEvery, linkOnly = self.linkOnly
        let idleTimeout = self.idleTimeout.map { Duration.milliseconds(Int64($0 * 1000)) }

        // Fails in --timeout seconds, exit 69, when no broker answers (a missing topic is fine: it may be created).
        _ = try await ClusterCheck.topic(connection, command: "consume")
        try await Telemetry.run {
            var configuration = KafkaConsumerConfiguration(
                bootstrapServers: connection.servers,
                subscription: .group(id: group, topics: [connection.topic]),
                clientID: "hlkafka-consume"
            )
            configuration.sessionTimeout = .seconds(10)
            let exporting = Telemetry.exporting
            var tracing = TracedKafkaConsumer.Configuration(spanRelation: linkOnly ? .link : .parent)
            if exporting {
                // Each failure reaches the backend once, linked to the message's session.
                tracing.errorReporter = { failure in H.consumeError(failure.error) }
            }
            let consumer = try TracedKafkaConsumer(configuration: configuration, tracing: tracing, logger: Telemetry.quietLogger)
            let progress = ConsumeProgress()
            try await withThrowingTaskGroup(of: Void.self) { group in
                if let idleTimeout {
                    // Sleeps until the idle deadline (the last message plus the timeout); a message meanwhile moves it.
                    group.addTask {
                        while true {
                            let remaining = idleTimeout - progress.idleFor
                            if remaining <= .zero { break }
                            try await Task.sleep(for: remaining)
                        }
                        Output.progress("hlkafka consume: idle for \(idleTimeout), stopping")
                        consumer.triggerShutdown()
                    }
                }
                try await consumer.run { message in
                    let call = progress.call()
                    let current = ServiceContext.current ?? .topLevel
                    let trace = current.outgoingTraceContext()
                    let parent = linkOnly ? nil : message.extractedContext.outgoingTraceContext()
                    let line = Line(
                        topic: message.message.topic,
                        partition: message.message.partition,
                        offset: message.message.offset,
                        key: message.message.keyString,
                        sessionSecureId: current.highlightRequest?.sessionSecureID,
                        requestId: current.highlightRequest?.requestID,
                        traceId: trace.map { "\($0.traceID)" },
                        spanId: trace.map { "\($0.spanID)" },
                        parentSpanId: parent.map { "\($0.spanID)" },
                        baggage: Dictionary((current.baggage?.members ?? []).map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }),
                        attempt: message.attempt
                    )
                    output.emit(
                        line,
                        text: "\(line.topic)[\(line.partition)]@\(line.offset) attempt=\(line.attempt) session=\(line.sessionSecureId ?? "-") request=\(line.requestId ?? "-") trace=\(line.traceId ?? "-") span=\(line.spanId ?? "-") parent=\(line.parentSpanId ?? "-")"
                    )
                    if exporting {
                        H.log(
                            "hlkafka handled a message",
                            metadata: ["topic": "\(line.topic)", "partition": "\(line.partition)", "offset": "\(line.offset)", "attempt": "\(line.attempt)"]
                        )
                    }
                    if let failEvery, call % failEvery == 0 { throw InjectedFailure(call: call) }
                    if let max, progress.handled() >= max { consumer.triggerShutdown() }
                }
                group.cancelAll()
            }
        }
    }
}

/// Handler calls, handled messages and the time of the last message.
final class ConsumeProgress: Sendable {
    private struct State {
        var calls = 0
        var handled = 0
        var lastMessage = ContinuousClock.now
    }

    private let state = Locked(State())

    func call() -> Int {
        state.withLock { state in
            state.calls += 1
            state.lastMessage = .now
            return state.calls
        }
    }

    func handled() -> Int {
        state.withLock { state in
            state.handled += 1
            return state.handled
        }
    }

    var idleFor: Duration { state.withLock { ContinuousClock.now - $0.lastMessage } }
}
