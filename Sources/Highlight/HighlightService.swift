import Logging
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
        try await withGracefulShutdownHandler {
            try await group.run()
        } onGracefulShutdown: {
            Task { await group.triggerGracefulShutdown() }
        }
    }
}
