import Logging

/// Receives swift-otel's diagnostics: counts every failed export (its records are dropped) and, in debug mode,
/// forwards everything to the debug logger. Without debug mode nothing is printed: a backend that is down must cost
/// the application nothing but the counted drops.
struct ExportOutcomeLogHandler: LogHandler {
    let counters: HighlightCounters
    let forwardTo: Logger?
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        if event.level >= .warning && event.message.description.contains("Failed to export") {
            counters.failedExports.increment()
        }
        forwardTo?.log(level: event.level, event.message, metadata: event.metadata, source: event.source, file: event.file, function: event.function, line: event.line)
    }
}
