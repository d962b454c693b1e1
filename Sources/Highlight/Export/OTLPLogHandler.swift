import HighlightPropagation
import HighlightTracing
import Instrumentation
import Logging
import Tracing

/// Turns swift-log records into OTLP log records on the export queue; never waits (a full queue drops and counts).
/// ``HighlightLogHandler`` in front of it adds the session, the code location and highlight's severity rules.
struct OTLPLogHandler: LogHandler {
    let queue: TelemetryQueue<OTLPLogRecord>
    var metadata: Logger.Metadata = [:]
    // Every level, as before with swift-otel (`logs.level = .trace`): the `Logger` or the multiplex in front filters.
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var attributes = metadata
        if let eventMetadata = event.metadata { attributes.merge(eventMetadata) { _, new in new } }
        if !event.source.isEmpty { attributes["log.source"] = .string(event.source) }
        var record = OTLPLogRecord(
            timeNanoseconds: DefaultTracerClock.now.nanosecondsSinceEpoch,
            level: event.level,
            body: event.message.description,
            attributes: attributes
        )
        if let span = ServiceContext.current?.traceParent {
            record.traceID = withUnsafeBytes(of: (span.traceIDHigh.bigEndian, span.traceIDLow.bigEndian)) { Array($0) }
            record.spanID = withUnsafeBytes(of: span.spanID.bigEndian) { Array($0) }
        }
        queue.push(record)
    }
}
