import Metrics
import Synchronization

/// What the facade reported, also published through swift-metrics (`highlight_errors_reported`,
/// `highlight_logs_emitted`, `highlight_exports_failed`, `highlight_errors_dropped`).
public struct HighlightStatistics: Sendable, Hashable {
    /// Errors recorded by ``Highlight/consumeError(_:secureSessionID:requestID:metadata:file:function:line:)``.
    public var errorsReported: Int
    /// Errors that could not be recorded because ``Highlight/bootstrap(_:environment:)`` was not called.
    public var errorsDropped: Int
    /// Log records handed to the exporter.
    public var logsEmitted: Int
    /// Export requests the backend refused or that failed (each drops the records it carried).
    public var exportsFailed: Int
    /// Shutdowns that ran out of ``Highlight/Options/shutdownTimeout`` with telemetry possibly still queued (dropped).
    public var shutdownsCutShort: Int
}

final class HighlightCounters: Sendable {
    final class Counted: Sendable {
        private let value = Atomic<Int>(0)
        private let metric: Counter

        init(_ label: String) { metric = Counter(label: label) }

        func increment() {
            value.add(1, ordering: .relaxed)
            metric.increment()
        }

        var count: Int { value.load(ordering: .relaxed) }
    }

    let errors = Counted("highlight_errors_reported")
    let droppedErrors = Counted("highlight_errors_dropped")
    let logs = Counted("highlight_logs_emitted")
    let failedExports = Counted("highlight_exports_failed")
    let shutdownsCutShort = Counted("highlight_shutdowns_cut_short")

    var snapshot: HighlightStatistics {
        HighlightStatistics(
            errorsReported: errors.count, errorsDropped: droppedErrors.count, logsEmitted: logs.count,
            exportsFailed: failedExports.count, shutdownsCutShort: shutdownsCutShort.count
        )
    }
}
