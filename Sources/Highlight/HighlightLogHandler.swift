import Logging

/// Sends swift-log records to the OTLP log exporter in the shape highlight reads.
///
/// - highlight reads only the lower-cased SeverityText, and knows no `critical`: such records are sent as `error`,
///   with `log.original_level=critical`, instead of silently counting as `info`.
/// - `code.filepath`, `code.lineno` and `code.function` are added, the names highlight's backend reads.
struct HighlightLogHandler: LogHandler {
    var base: any LogHandler
    let counters: HighlightCounters

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    /// Kept here: not every base handler stores a provider.
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        var metadata = event.metadata ?? [:]
        metadata["code.filepath"] = .string(event.file)
        metadata["code.lineno"] = .stringConvertible(event.line)
        metadata["code.function"] = .string(event.function)
        if let provided = metadataProvider?.get() {
            metadata.merge(provided) { current, _ in current }
        }
        if event.level == .critical {
            event.level = .error
            metadata["log.original_level"] = "critical"
        }
        event.metadata = metadata
        counters.logs.increment()
        base.log(event: event)
    }
}
