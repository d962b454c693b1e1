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
}
