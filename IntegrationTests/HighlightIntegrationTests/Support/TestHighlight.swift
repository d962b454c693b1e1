import Foundation
import Highlight
import ServiceLifecycle

/// The facade is bootstrapped once per test process (like `InstrumentationSystem`), exporting OTLP/HTTP JSON to a
/// local receiver.
enum TestHighlight {
    static let projectID = "test-project-7"

    static let receiver: Task<OTLPTestReceiver, any Error> = Task {
        let receiver = try await OTLPTestReceiver.start()
        var options = Highlight.Options(projectID: projectID, serviceName: "integration-tests")
        options.serviceVersion = "9.9.9"
        options.environment = "test"
        options.otlpEndpoint = receiver.endpoint
        options.otlpProtocol = .httpJSON
        options.gzip = false
        options.exportBatchDelay = .milliseconds(100)
        options.exportQueueSize = 20_000
        options.bootstrapLogging = false
        let service = try Highlight.bootstrap(options, environment: [:])
        Task { try await service.run() }
        return receiver
    }

    /// The receiver, once the facade exports to it.
    static func ready() async throws -> OTLPTestReceiver {
        try await receiver.value
    }

    /// Reports an error now and waits until it reaches the receiver: what was queued before it has been sent by then,
    /// so the next test starts on a drained pipeline.
    static func waitUntilDrained(_ receiver: OTLPTestReceiver) async throws {
        let marker = "drained-\(UUID().uuidString)"
        H.consumeError(DrainMarker(marker: marker))
        _ = try await receiver.waitFor(timeout: .seconds(90)) { $0.contains { $0.attributes["exception.message"]?.contains(marker) == true } }
    }

    private struct DrainMarker: Error, CustomStringConvertible {
        let marker: String
        var description: String { "drain marker (\(marker))" }
    }
}
