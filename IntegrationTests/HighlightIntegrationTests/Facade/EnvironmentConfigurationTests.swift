import HighlightTestSupport
import Foundation
import Testing

/// The environment variables an operator sets reach a real process's pipeline: the exit-path probe (an error and a
/// log in a session, sent at graceful shutdown) run with OpenTelemetry's sampler variable.
@Suite("Environment configuration", .timeLimit(.minutes(2)))
struct EnvironmentConfigurationTests {
    /// Runs the probe's graceful path with `environment` and returns its standard error and what the receiver got.
    static func runProbe(_ environment: [String: String]) async throws -> (errors: String, receiver: OTLPTestReceiver) {
        let receiver = try await OTLPTestReceiver.start()
        let result = try await ChildProcess.run(TelemetryExitPathTests.probe, [receiver.endpoint, "graceful"], environment: environment)
        #expect(result.status == 0, "\(result.errors)")
        return (result.errors, receiver)
    }

    /// `OTEL_TRACES_SAMPLER=always_off` turns the tracer's sampling off: the error (a span) is not sent, the log is.
    /// A queue size that is not a number is ignored and named on standard error.
    @Test func theSamplerVariableTurnsSpansOffAndARefusedValueIsNamed() async throws {
        let (errors, receiver) = try await Self.runProbe(["OTEL_TRACES_SAMPLER": "always_off", "OTEL_BSP_MAX_QUEUE_SIZE": "lots"])
        #expect(TelemetryExitPathTests.exportedLog(receiver, path: "graceful") != nil, "\(receiver.requests.count) requests")
        #expect(TelemetryExitPathTests.exportedError(receiver, path: "graceful") == nil, "sampled off, yet sent")
        #expect(receiver.spans.isEmpty, "\(receiver.spans.count) spans")
        #expect(errors.contains("Highlight setting not taken as given: OTEL_BSP_MAX_QUEUE_SIZE=lots"), "\(errors)")
        #expect(!errors.contains("OTEL_TRACES_SAMPLER"), "\(errors)")
    }

    /// A sampler name this package does not have is named on standard error and the code's sampler (every trace)
    /// stays: the error is sent.
    @Test func anUnknownSamplerIsNamedAndTheCodesSamplerStays() async throws {
        let (errors, receiver) = try await Self.runProbe(["OTEL_TRACES_SAMPLER": "sometimes"])
        #expect(TelemetryExitPathTests.exportedError(receiver, path: "graceful") != nil, "\(receiver.requests.count) requests")
        #expect(errors.contains("Highlight setting not taken as given: OTEL_TRACES_SAMPLER=sometimes"), "\(errors)")
    }
}
