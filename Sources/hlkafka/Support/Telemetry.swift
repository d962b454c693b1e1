import UnixSignals
import Foundation
import Highlight
import HighlightPropagation
import Instrumentation
import Logging
import HighlightTracing
import ServiceLifecycle
import Tracing

/// Sets up the tracer every command runs: this package's, which propagates as the highlight propagator does, so the
/// ids printed are real spans' and what is injected. When `HIGHLIGHT_PROJECT_ID` or an OTLP endpoint is configured, the
/// `Highlight` facade is bootstrapped instead and spans, errors and logs are exported; otherwise nothing is.
enum Telemetry {
    /// Whether the facade exports (and so whether commands should log through `H.log`).
    static var exporting: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["HIGHLIGHT_PROJECT_ID", "OTEL_EXPORTER_OTLP_ENDPOINT"].contains { !(environment[$0] ?? "").isEmpty }
    }

    /// Bootstraps tracing once for the process and returns the service that must run alongside the command.
    static func bootstrap(serviceName: String = "hlkafka") throws -> any Service {
        if exporting {
            var options = Highlight.Options(serviceName: ProcessInfo.processInfo.environment["OTEL_SERVICE_NAME"] ?? serviceName)
            options.bootstrapLogging = false
            return try Highlight.bootstrap(options)
        }
        // Spans with real ids, sampled and propagated, recorded nowhere: nothing is exported.
        InstrumentationSystem.bootstrap(HighlightTracer(queue: nil))
        return NoTelemetry()
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "hlkafka")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs `body` next to the telemetry service, in a ``CommandGroup``. Whether `body` returns or throws, and on SIGINT
    /// and SIGTERM, the group shuts down gracefully, so what the body reported is exported before the process exits; `body`'s error is then
    /// rethrown (the command exits non-zero).
    static func run(_ body: @escaping @Sendable () async throws -> Void) async throws {
        try await CommandGroup.run(services: [try bootstrap()], body: body)
    }
}

/// The service run next to a command when nothing is exported: it only waits for the end.
struct NoTelemetry: Service {
    func run() async throws {
        try? await gracefulShutdown()
    }
}
