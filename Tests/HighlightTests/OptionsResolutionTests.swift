@testable import Highlight
import Testing

/// How `Highlight.Options` fields resolve against the environment.
@Suite("Options resolution")
struct OptionsResolutionTests {
    @Test func theShutdownWaitIsFiveSecondsUnlessTheEnvironmentOrTheCodeSaysOtherwise() {
        #expect(Highlight.Options().resolved(environment: [:]).shutdownTimeout == .seconds(5))
        var options = Highlight.Options()
        options.shutdownTimeout = .seconds(2)
        #expect(options.resolved(environment: [:]).shutdownTimeout == .seconds(2))
        // The environment wins, as OTEL_BSP_SCHEDULE_DELAY does: an operator tunes it without a rebuild.
        #expect(options.resolved(environment: ["HIGHLIGHT_SHUTDOWN_TIMEOUT": "30000"]).shutdownTimeout == .seconds(30))
        // A value that is not a positive number of milliseconds is ignored.
        for ignored in ["", "soon", "0", "-5", "1.5"] {
            #expect(options.resolved(environment: ["HIGHLIGHT_SHUTDOWN_TIMEOUT": ignored]).shutdownTimeout == .seconds(2), "\(ignored)")
        }
    }

    /// The queues hold 32,768 records each unless the code says otherwise; OpenTelemetry's batch processors' variables
    /// set the span and log queues apart, and win over the code.
    @Test func theQueueSizesComeFromTheOptionUnlessOpenTelemetrysVariablesSetThem() {
        let defaults = Highlight.Options().resolved(environment: [:])
        #expect(defaults.spanQueueSize == 32_768 && defaults.logQueueSize == 32_768)
        var options = Highlight.Options()
        options.exportQueueSize = 500
        let coded = options.resolved(environment: [:])
        #expect(coded.spanQueueSize == 500 && coded.logQueueSize == 500)
        let set = options.resolved(environment: ["OTEL_BSP_MAX_QUEUE_SIZE": "100000", "OTEL_BLRP_MAX_QUEUE_SIZE": "2048"])
        #expect(set.spanQueueSize == 100_000 && set.logQueueSize == 2_048)
        // Not a positive whole number: the option stands.
        for ignored in ["", "many", "0", "-1", "1e5"] {
            #expect(options.resolved(environment: ["OTEL_BSP_MAX_QUEUE_SIZE": ignored]).spanQueueSize == 500, "\(ignored)")
        }
    }
}
