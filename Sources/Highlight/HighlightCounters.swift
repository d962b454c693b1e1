import HighlightSynchronization
import Metrics
import Synchronization

/// What the facade reported, also published through swift-metrics (`highlight_errors_reported`,
/// `highlight_logs_emitted`, `highlight_exports_failed`, `highlight_errors_dropped`, `highlight_spans_exported`,
/// `highlight_log_records_exported`, `highlight_spans_dropped`, `highlight_log_records_dropped`,
/// `highlight_records_rejected`, `highlight_shutdowns_cut_short`).
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
    /// Spans sent and accepted.
    public var spansExported: Int
    /// Log records sent and accepted.
    public var logRecordsExported: Int
    /// Spans dropped because the export queue was full (``Highlight/Options/exportQueueSize``).
    public var spansDropped: Int
    /// Log records dropped because the export queue was full.
    public var logRecordsDropped: Int
    /// Records a backend accepted the request of but rejected (OTLP partial success).
    public var rejectedByBackend: Int
}

final class HighlightCounters: Sendable {
    final class Counted: Sendable {
        private let value = Atomic<Int>(0)
        private let metric: Counter
        /// Tasks waiting for the count to reach a value; only on counters that change rarely (a lock per change).
        private let waiters: ConditionWaiters?

        init(_ label: String, awaitable: Bool = false) {
            metric = Counter(label: label)
            waiters = awaitable ? ConditionWaiters() : nil
        }

        func increment() {
            add(1)
        }

        func add(_ count: Int) {
            guard count > 0 else { return }
            value.add(count, ordering: .relaxed)
            metric.increment(by: Int64(count))
            waiters?.conditionsChanged()
        }

        var count: Int { value.load(ordering: .relaxed) }

        /// Returns once the count is at least `target`, or when the task is cancelled. Only on an awaitable counter.
        func wait(untilAtLeast target: Int) async {
            guard let waiters else { preconditionFailure("wait(untilAtLeast:) on a counter made without awaitable") }
            await waiters.wait { self.count >= target }
        }
    }

    let errors = Counted("highlight_errors_reported")
    let droppedErrors = Counted("highlight_errors_dropped")
    let logs = Counted("highlight_logs_emitted")
    let failedExports = Counted("highlight_exports_failed", awaitable: true)
    let shutdownsCutShort = Counted("highlight_shutdowns_cut_short")
    let spansExported = Counted("highlight_spans_exported")
    let logRecordsExported = Counted("highlight_log_records_exported")
    let spansDropped = Counted("highlight_spans_dropped")
    let logRecordsDropped = Counted("highlight_log_records_dropped")
    let rejectedByBackend = Counted("highlight_records_rejected")

    var snapshot: HighlightStatistics {
        HighlightStatistics(
            errorsReported: errors.count, errorsDropped: droppedErrors.count, logsEmitted: logs.count,
            exportsFailed: failedExports.count, shutdownsCutShort: shutdownsCutShort.count,
            spansExported: spansExported.count, logRecordsExported: logRecordsExported.count,
            spansDropped: spansDropped.count, logRecordsDropped: logRecordsDropped.count,
            rejectedByBackend: rejectedByBackend.count
        )
    }
}
