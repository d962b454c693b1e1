@testable import Highlight
import HighlightTracing
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

    /// OpenTelemetry's sampler variables win over the code's sampler; each of the six names this package has maps to
    /// its sampler, whatever the case or surrounding spaces.
    @Test func theSamplerVariablesNameTheSixSamplersAndWinOverTheCode() {
        var options = Highlight.Options()
        options.sampler = .ratio(0.5)
        #expect(options.resolved(environment: [:]).sampler == .ratio(0.5))
        let expected: [(String, String?, HighlightSampler)] = [
            ("always_on", nil, .always),
            ("always_off", nil, .never),
            ("traceidratio", "0.25", .ratio(0.25)),
            ("traceidratio", nil, .ratio(1)),
            ("parentbased_always_on", nil, .parentBased(root: .always)),
            ("parentbased_always_off", nil, .parentBased(root: .never)),
            (" ParentBased_TraceIdRatio ", "0.1", .parentBased(root: .ratio(0.1))),
        ]
        for (name, argument, sampler) in expected {
            var environment = ["OTEL_TRACES_SAMPLER": name]
            environment["OTEL_TRACES_SAMPLER_ARG"] = argument
            let resolved = options.resolved(environment: environment)
            #expect(resolved.sampler == sampler, "\(name) \(argument ?? "-")")
            #expect(resolved.warnings.isEmpty, "\(name): \(resolved.warnings)")
        }
    }

    /// A sampler this package does not have leaves the code's; a ratio that is not a number from 0 to 1 becomes 1,
    /// as the specification says; both are named in a warning. Empty values are unset ones: no warning.
    @Test func anUnknownSamplerOrABadRatioIsReportedAndReplaced() {
        var options = Highlight.Options()
        options.sampler = .parentBased(root: .ratio(0.5))
        let unknown = options.resolved(environment: ["OTEL_TRACES_SAMPLER": "jaeger_remote"])
        #expect(unknown.sampler == .parentBased(root: .ratio(0.5)))
        #expect(unknown.warnings.count == 1 && unknown.warnings[0].hasPrefix("OTEL_TRACES_SAMPLER=jaeger_remote"))
        for argument in ["1.5", "-0.1", "half", "nan"] {
            let resolved = options.resolved(environment: ["OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": argument])
            #expect(resolved.sampler == .ratio(1), "\(argument)")
            #expect(resolved.warnings.count == 1 && resolved.warnings[0].hasPrefix("OTEL_TRACES_SAMPLER_ARG=\(argument)"), "\(resolved.warnings)")
        }
        let empty = options.resolved(environment: ["OTEL_TRACES_SAMPLER": "", "OTEL_BSP_MAX_QUEUE_SIZE": "", "HIGHLIGHT_SHUTDOWN_TIMEOUT": ""])
        #expect(empty.sampler == .parentBased(root: .ratio(0.5)) && empty.warnings.isEmpty, "\(empty.warnings)")
    }

    /// 512 records a request unless the code or OpenTelemetry's batch variables say otherwise; a batch larger than
    /// its queue is cut to the queue, with a warning.
    @Test func theBatchSizesComeFromTheOptionOrTheBatchVariablesAndNeverExceedTheirQueue() {
        let defaults = Highlight.Options().resolved(environment: [:])
        #expect(defaults.spanBatchSize == 512 && defaults.logBatchSize == 512 && defaults.warnings.isEmpty)
        var options = Highlight.Options()
        options.exportBatchSize = 100
        let coded = options.resolved(environment: [:])
        #expect(coded.spanBatchSize == 100 && coded.logBatchSize == 100)
        let set = options.resolved(environment: ["OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "2048", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE": "64"])
        #expect(set.spanBatchSize == 2048 && set.logBatchSize == 64 && set.warnings.isEmpty)
        let cut = options.resolved(environment: ["OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "5000", "OTEL_BSP_MAX_QUEUE_SIZE": "1000"])
        #expect(cut.spanBatchSize == 1000 && cut.spanQueueSize == 1000)
        #expect(cut.warnings.count == 1 && cut.warnings[0].contains("exceeds its queue of 1000"), "\(cut.warnings)")
    }

    /// Every numeric variable set to something it cannot take is named in a warning, with its value, and ignored.
    @Test func everyRefusedNumberIsNamedInAWarning() {
        let variables = [
            "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BLRP_SCHEDULE_DELAY", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BLRP_MAX_QUEUE_SIZE",
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "HIGHLIGHT_SHUTDOWN_TIMEOUT",
        ]
        let resolved = Highlight.Options().resolved(environment: Dictionary(uniqueKeysWithValues: variables.map { ($0, "-3") }))
        #expect(resolved.warnings.count == variables.count, "\(resolved.warnings)")
        for variable in variables {
            #expect(resolved.warnings.contains { $0.hasPrefix("\(variable)=-3 ") }, "\(variable)")
        }
        #expect(resolved.batchDelay == .seconds(1) && resolved.spanQueueSize == 32_768 && resolved.shutdownTimeout == .seconds(5))
        let misspelt = Highlight.Options().resolved(environment: ["OTEL_EXPORTER_OTLP_COMPRESSION": "zstd", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"])
        #expect(misspelt.gzip && misspelt.otlpProtocol == .httpProtobuf)
        #expect(misspelt.warnings.count == 2, "\(misspelt.warnings)")
    }
}
