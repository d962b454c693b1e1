import Logging

/// One log record waiting for export: what the log handler captured, in the shape `LogRecord` is written in.
struct OTLPLogRecord: Sendable {
    var timeNanoseconds: UInt64
    var level: Logger.Level
    var body: String
    var attributes: Logger.Metadata
    /// The active span's ids (16 and 8 bytes), when the record was written inside one.
    var traceID: [UInt8]?
    var spanID: [UInt8]?

    /// highlight reads the lower-cased SeverityText and knows no `critical` (sent as `error`) nor `notice` (`info`).
    var severityText: String {
        switch level {
        case .trace: "trace"
        case .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warning"
        case .error, .critical: "error"
        }
    }

    /// OpenTelemetry's SeverityNumber: TRACE 1, DEBUG 5, INFO 9, INFO2 10, WARN 13, ERROR 17, FATAL 21.
    var severityNumber: Int {
        switch level {
        case .trace: 1
        case .debug: 5
        case .info: 9
        case .notice: 10
        case .warning: 13
        case .error: 17
        case .critical: 21
        }
    }
}
