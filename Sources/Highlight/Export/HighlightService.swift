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
/// they hold. If you set the group's `maximumCancellationDuration`, keep it above `shutdownTimeout`.
public struct HighlightService: Service {
    let exporter: TelemetryExporter?
    let shutdownTimeout: Duration

    /// Exports what is queued, once per batch or on the batch timer, until graceful shutdown or cancellation; then
    /// sends what is left, within `shutdownTimeout`.
    ///
    /// - Throws: nothing of its own (the `Service` requirement throws); failed exports are logged and counted.
    public func run() async throws {
        guard let exporter else {
            // Console or disabled export: nothing to send, nothing to wait for but the end.
            try? await gracefulShutdown()
            return
        }
        let shutdown = ShutdownRequest()
        let requestShutdown: @Sendable () -> Void = {
            shutdown.request()
            exporter.wakeForShutdown()
        }
        // The export loop runs in a task of its own, not as a child of this one: a cancelled send drops what it
        // carries, and cancelling this service is how ServiceLifecycle stops a group after a service threw.
        // Cancellation and graceful shutdown both end the loop with a last export bounded by `shutdownTimeout`;
        // this task waits for it, so the loop never outlives this service.
        let timeout = shutdownTimeout
        // High priority: when the application keeps every thread of the cooperative pool busy, the exporter's jobs
        // are taken before the application's queued ones instead of after them, and the span queue does not fill.
        // It never preempts anything; it costs the application the exporter's CPU time instead of the spans. Measured
        // with `hlkafka bench consume|produce --mode traced --export` on 2 cores: 0–8,839 of 200,000 spans dropped,
        // 10,746–41,964 at default priority. (A thread of the exporter's own, scheduled fairly by the kernel, dropped
        // 0–55,313: a third of two cores is not enough at full speed.)
        let loop = Task(priority: .high) { await exporter.run(until: shutdown, shutdownTimeout: timeout) }
        let finished = await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await loop.value
            } onGracefulShutdown: {
                requestShutdown()
            }
        } onCancel: {
            requestShutdown()
        }
        if !finished { reportCutShort() }
    }

    /// A shutdown that used up its whole wait was cut short: what was still queued is gone. Say so, and count it.
    private func reportCutShort() {
        Highlight.counters.shutdownsCutShort.increment()
        Logger(label: "highlight.service").warning(
            "Telemetry shutdown used its whole wait; spans and log records still queued were dropped. Raise Options.shutdownTimeout, or check the OTLP endpoint",
            metadata: ["shutdownTimeout": "\(shutdownTimeout)"]
        )
    }
}
