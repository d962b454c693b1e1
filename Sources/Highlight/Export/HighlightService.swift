import Logging
import Synchronization
public import ServiceLifecycle

/// Exports what ``Highlight`` records; returned by ``Highlight/bootstrap(_:environment:)``. Run it in your
/// `ServiceGroup`, before the services that report errors.
///
/// It sends what is still queued, waiting at most ``Highlight/Options/shutdownTimeout``, on every way it can stop:
/// - a graceful shutdown of the group (SIGTERM or SIGINT with `gracefulShutdownSignals`, or a service whose
///   termination behaviour is `.gracefullyShutdownGroup`);
/// - cancellation, which is what ServiceLifecycle does to every service of a group when one of them throws and its
///   `failureTerminationBehavior` is the default `.cancelGroup`: the error that took the worker down is still sent.
///
/// ```swift
/// let telemetry = try H.bootstrap(.init(projectID: "abc123", serviceName: "orders-worker"))
/// let worker = WorkerService()  // reports failures with H.consumeError
/// let group = ServiceGroup(configuration: .init(
///     services: [
///         .init(service: telemetry),
///         // The group shuts down gracefully when the worker throws, then `run()` rethrows its error.
///         .init(service: worker, failureTerminationBehavior: .gracefullyShutdownGroup),
///     ],
///     gracefulShutdownSignals: [.sigterm, .sigint],
///     logger: logger
/// ))
/// try await group.run()
/// ```
///
/// Either failure behaviour exports the error; `.gracefullyShutdownGroup` also lets the other services finish what
/// they hold. If you set the group's `maximumCancellationDuration`, keep it above `shutdownTimeout` plus one second.
public struct HighlightService: Service {
    let services: [any Service]
    let shutdownTimeout: Duration

    public func run() async throws {
        var configuration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            logger: Logger(label: "highlight.service")
        )
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        configuration.maximumCancellationDuration = .seconds(1)
        let group = ServiceGroup(configuration: configuration)
        let shutdown = ShutdownRequest()
        let shutdownStarted = Mutex<ContinuousClock.Instant?>(nil)
        let requestShutdown: @Sendable () -> Void = {
            if shutdown.request() { shutdownStarted.withLock { $0 = .now } }
        }
        // The exporters run in a task of their own, not as children of this one: a cancelled exporter drops what it
        // holds, and cancelling this service is how ServiceLifecycle stops a group after a service threw. Cancellation
        // and graceful shutdown both become a graceful shutdown of the exporters, bounded by `shutdownTimeout` (then
        // one second of cancellation); this task waits for it, so the task never outlives this service.
        let exporters = Task {
            try await withThrowingTaskGroup(of: Bool.self) { tasks in
                tasks.addTask {
                    try await group.run()
                    return true
                }
                tasks.addTask {
                    try await shutdown.wait()
                    await group.triggerGracefulShutdown()
                    return false
                }
                for try await exportersEnded in tasks where exportersEnded {
                    tasks.cancelAll()
                    return
                }
            }
        }
        do {
            try await withTaskCancellationHandler {
                try await withGracefulShutdownHandler {
                    try await exporters.value
                } onGracefulShutdown: {
                    requestShutdown()
                }
            } onCancel: {
                requestShutdown()
            }
        } catch {
            // Past the wait the exporters are cancelled and throw: that is the bounded shutdown working, reported
            // below, not a failure of the application.
            guard let started = shutdownStarted.withLock({ $0 }) else { throw error }
            if ContinuousClock.now - started < shutdownTimeout {
                Logger(label: "highlight.service").warning("Telemetry shutdown ended with an error", metadata: ["error": "\(error)"])
            }
        }
        reportIfCutShort(startedAt: shutdownStarted.withLock { $0 })
    }

    /// A shutdown that used up its whole wait was cut short: what was still queued is gone. Say so, and count it.
    private func reportIfCutShort(startedAt: ContinuousClock.Instant?) {
        guard let startedAt, ContinuousClock.now - startedAt >= shutdownTimeout else { return }
        Highlight.counters.shutdownsCutShort.increment()
        Logger(label: "highlight.service").warning(
            "Telemetry shutdown used its whole wait; spans and log records still queued were dropped. Raise Options.shutdownTimeout, or check the OTLP endpoint",
            metadata: ["shutdownTimeout": "\(shutdownTimeout)"]
        )
    }
}
