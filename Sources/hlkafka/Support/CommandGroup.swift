import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// The service group a command runs in, next to the services it needs (telemetry, an OTLP receiver).
///
/// The first SIGINT or SIGTERM shuts the group down gracefully: the command stops taking new work, finishes what is in
/// flight and flushes its telemetry, which can take as long as the telemetry's shutdown wait. hlkafka says so on
/// standard error; a second SIGINT or SIGTERM then ends the process at once with 128 + the signal's number, leaving
/// whatever was in flight (Kafka reads it again: nothing uncommitted is lost; unexported telemetry is).
enum CommandGroup {
    /// Runs `services` and `body` as the group's command: when the body returns or throws, the group shuts down
    /// gracefully; the body's error is then rethrown.
    static func run(services: [any Service], body: @escaping @Sendable () async throws -> Void) async throws {
        let configurations = services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) } + [
            .init(
                service: CommandService(body: body),
                successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup
            )
        ]
        // The signals are trapped before any service starts, so a signal that arrives once a command has said it is
        // ready (mock-cluster's first line) always reaches the graceful path instead of killing the process.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: configurations, logger: Telemetry.quietLogger)
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await shutDown(group, on: signals) }
            defer { tasks.cancelAll() }
            try await group.run()
        }
    }

    /// Shuts `group` down gracefully at the first SIGINT or SIGTERM and ends the process at the second. Ends when
    /// cancelled.
    private static func shutDown(_ group: ServiceGroup, on signals: UnixSignalsSequence) async {
        var received = 0
        for await signal in signals {
            received += 1
            if received == 1 {
                Output.progress("hlkafka: stopping (\(signal)): finishing what is in flight; send it again to stop at once")
                await group.triggerGracefulShutdown()
                continue
            }
            Output.progress("hlkafka: stopping at once (\(signal) again): work in flight is abandoned; unexported telemetry is lost")
            // `_exit`, not `exit`: librdkafka's threads are still running, and the process's exit handlers must not
            // tear down what they use under them.
            _exit(128 + signal.rawValue)
        }
    }
}

/// A command body as a service: when it returns or throws, the group shuts down gracefully (flushing telemetry).
struct CommandService: Service {
    let body: @Sendable () async throws -> Void

    func run() async throws { try await body() }
}
