import Logging
import Synchronization
public import ServiceLifecycle

/// Exports what ``Highlight`` records; returned by ``Highlight/bootstrap(_:environment:)``. Run it in your
/// `ServiceGroup`: on graceful shutdown it sends what is still queued, waiting at most the configured shutdown time.
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
        let shutdownStarted = Mutex<ContinuousClock.Instant?>(nil)
        do {
            try await withGracefulShutdownHandler {
                try await group.run()
            } onGracefulShutdown: {
                shutdownStarted.withLock { $0 = .now }
                Task { await group.triggerGracefulShutdown() }
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
