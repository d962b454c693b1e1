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
        abstract: "Consume through the context-restoring wrapper; print what each handler call sees.",
        discussion: """
            Each line: the message's position, key and value, the session restored from its headers (or why a \
            header was refused), the trace, the baggage and the outcome; a summary on standard error at the end.

            Examples:
              $ hlkafka consume -t orders -G walkthrough --max 3 --json
              $ hlkafka consume -t orders -G debug --headers --idle-timeout 5
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: [.customShort("G"), .long], help: "The consumer group.")
    var group: String

    @Option(name: .long, parsing: .unconditional, help: "Exit 0 after handling this many messages.")
    var max: Int?

    @Option(name: .long, help: "Exit 0 after this many seconds without a message, counted from the first partition assignment (joining the group takes seconds of its own).")
    var idleTimeout: Double?

    @Option(name: .long, help: "How values are shown: text (UTF-8 when printable, else base64, as valueEncoding says) or base64.")
    var valueFormat: ValueFormat = .text

    @Flag(name: .long, help: "Show every header of each message (its values as UTF-8).")
    var headers = false

    @Option(name: .long, help: "Make every Kth handler call throw, to exercise the error path.")
    var failEvery: Int?

    @Flag(name: .long, help: "Link the process span to the producer's instead of continuing its trace.")
    var linkOnly = false

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
        let valueFormat = self.valueFormat, showHeaders = self.headers
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
                    // The clock starts at the first assignment: before it no message can come.
                    group.addTask {
                        for await event in consumer.consumer.events {
                            if case .partitionsAssigned = event { break }
                        }
                        progress.restartIdleClock()
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
                    let failing = failEvery.map { call % $0 == 0 } ?? false
                    let line = Self.line(
                        for: message, current: ServiceContext.current ?? .topLevel, linkOnly: linkOnly, valueFormat: valueFormat,
                        showHeaders: showHeaders, failing: failing
                    )
                    output.emit(line, text: line.text)
                    if exporting {
                        H.log(
                            "hlkafka handled a message",
                            metadata: ["topic": "\(line.topic)", "partition": "\(line.partition)", "offset": "\(line.offset)", "attempt": "\(line.attempt)"]
                        )
                    }
                    if failing { throw InjectedFailure(call: call) }
                    let handled = progress.handled(line)
                    if let max, handled >= max { consumer.triggerShutdown() }
                }
                group.cancelAll()
            }
            Output.progress(progress.summary)
        }
    }
}

/// Handler calls, handled messages (with a session, refused by reason) and the time of the last message.
final class ConsumeProgress: Sendable {
    private struct State {
        var calls = 0
        var handled = 0
        var withSession = 0
        var refused: [String: Int] = [:]
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

    /// Counts a handled message; returns how many were handled.
    func handled(_ line: ConsumeCommand.Line) -> Int {
        state.withLock { state in
            state.handled += 1
            if line.sessionSecureId != nil { state.withSession += 1 }
            for reason in line.refused { state.refused[reason, default: 0] += 1 }
            return state.handled
        }
    }

    /// Idle time counts from now.
    func restartIdleClock() { state.withLock { $0.lastMessage = .now } }

    var idleFor: Duration { state.withLock { ContinuousClock.now - $0.lastMessage } }

    /// The line printed at the end: what was consumed, how much of it carried a session, what was refused.
    var summary: String {
        state.withLock { state in
            let share = state.handled == 0 ? 0 : Double(state.withSession) * 100 / Double(state.handled)
            var text = "hlkafka consume: handled \(state.handled) message(s) in \(state.calls) handler call(s); "
                + String(format: "%.1f%%", share) + " with a session"
            if !state.refused.isEmpty {
                text += "; refused: " + state.refused.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
            }
            return text
        }
    }
}
