import AsyncHTTPClient
import HighlightTracing
import Logging
import HighlightSynchronization
import Synchronization

/// Takes ended spans and log records from their queues and sends them over OTLP/HTTP: when a queue reaches a batch,
/// when its timer fires, when asked (``requestExport()``, `H.flush()`, an error), and once more at shutdown. It is
/// woken once per batch, never per record, and encodes off the threads that record.
final class TelemetryExporter: Sendable {
    struct Settings: Sendable {
        var batchDelay: Duration
        var spanQueueCapacity: Int
        var logQueueCapacity: Int
        /// Spans per request, and the count at which queued spans wake the exporter.
        var spanBatchSize: Int
        /// Log records per request, and the count at which queued records wake the exporter.
        var logBatchSize: Int
        /// Export requests in flight at once.
        var concurrentRequests: Int
        var protobuf: Bool
        var resource: OTLPResource
        var limits: SpanLimits
    }

    let spans: TelemetryQueue<HighlightSpan>
    let logs: TelemetryQueue<OTLPLogRecord>
    private let wakeup: ExportWakeup
    private let sender: OTLPHTTPSender
    private let settings: Settings
    private let counters: HighlightCounters
    private let debugLogger: Logger?
    private let lastDropWarning = Locked<ContinuousClock.Instant?>(nil)
    static let dropWarningInterval: Duration = .seconds(10)

    init(settings: Settings, sender: OTLPHTTPSender, counters: HighlightCounters, debugLogger: Logger?) {
        let wakeup = ExportWakeup()
        self.wakeup = wakeup
        self.spans = TelemetryQueue(capacity: settings.spanQueueCapacity, batchSize: settings.spanBatchSize) { wakeup.signal() }
        self.logs = TelemetryQueue(capacity: settings.logQueueCapacity, batchSize: settings.logBatchSize) { wakeup.signal() }
        self.sender = sender
        self.settings = settings
        self.counters = counters
        self.debugLogger = debugLogger
    }

    /// Sends what is queued now instead of at the next timer. Never waits.
    func requestExport() {
        wakeup.signal()
    }

    /// Exports until `shutdown` is requested, then sends what is still queued. Returns whether everything was done
    /// within `shutdownTimeout` of the request: past it, the export in flight (a retry against a slow or failing
    /// backend, say) and the last one are cancelled, and what they carried is dropped.
    func run(until shutdown: ShutdownRequest, shutdownTimeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                var batches = Batches()
                while !shutdown.isRequested {
                    if self.spans.count < self.spans.batchSize && self.logs.count < self.logs.batchSize {
                        await self.wakeup.wait(timeout: self.settings.batchDelay)
                    }
                    if shutdown.isRequested { break }
                    await self.exportQueued(reusing: &batches)
                }
                await self.exportQueued(reusing: &batches)
                return true
            }
            group.addTask {
                do {
                    try await shutdown.wait()
                    try await Task.sleep(for: shutdownTimeout)
                } catch {
                    return true  // the export loop ended first and cancelled this deadline
                }
                return false
            }
            let finished = await group.next() ?? false
            group.cancelAll()
            return finished
        }
    }

    /// Wakes ``run(until:shutdownTimeout:)`` so that it sees the shutdown request.
    func wakeForShutdown() {
        wakeup.signal()
    }

    /// The arrays an export loop takes its queues into, kept from one export to the next (see
    /// ``TelemetryQueue/takeAll(into:)``).
    struct Batches {
        var spans: [HighlightSpan] = []
        var logs: [OTLPLogRecord] = []
    }

    /// Everything queued now, in requests of at most `batchSize` records, up to `concurrentRequests` of them in
    /// flight at once (encoded here, one after the other; sent side by side).
    func exportQueued() async {
        var batches = Batches()
        await exportQueued(reusing: &batches)
    }

    /// The same, taking the queues into `batches`, which are emptied again once their records are sent.
    func exportQueued(reusing batches: inout Batches) async {
        reportDrops()
        spans.takeAll(into: &batches.spans)
        logs.takeAll(into: &batches.logs)
        await send(batches.spans, batches.logs)
        // The records sent (or dropped) are released now, not kept until the next export.
        batches.spans.removeAll(keepingCapacity: true)
        batches.logs.removeAll(keepingCapacity: true)
    }

    private func send(_ spans: [HighlightSpan], _ logs: [OTLPLogRecord]) async {
        guard !spans.isEmpty || !logs.isEmpty else { return }
        let traceDocument = OTLPTraceDocument(resource: settings.resource, limits: settings.limits)
        let logDocument = OTLPLogDocument(resource: settings.resource)
        let protobuf = settings.protobuf
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            func send(_ body: [UInt8], _ signal: OTLPHTTPSender.Signal, count: Int) async {
                if inFlight == settings.concurrentRequests {
                    await group.next()
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask { self.record(await self.sender.send(body, signal: signal), count: count, signal: signal) }
            }
            // Each span's recorded data is read in place as its batch is encoded: no copy of it (a growing array of
            // copies was a quarter of the exporter's time, in page faults and copies, when it had fallen behind).
            for start in stride(from: 0, to: spans.count, by: self.spans.batchSize) {
                let batch = spans[start..<min(start + self.spans.batchSize, spans.count)]
                let body = protobuf ? traceDocument.encode(batch, as: OTLPProtobufWriter.self) : traceDocument.encode(batch, as: OTLPJSONWriter.self)
                await send(body, .traces, count: batch.count)
            }
            for start in stride(from: 0, to: logs.count, by: self.logs.batchSize) {
                let batch = Array(logs[start..<min(start + self.logs.batchSize, logs.count)])
                let body = protobuf ? logDocument.encode(batch, as: OTLPProtobufWriter.self) : logDocument.encode(batch, as: OTLPJSONWriter.self)
                await send(body, .logs, count: batch.count)
            }
        }
    }

    /// Counts what the queues dropped, and says so at most once per ``dropWarningInterval`` (the counters and
    /// `Highlight.statistics` have every drop).
    private func reportDrops() {
        let droppedSpans = spans.takeDroppedCount()
        let droppedLogs = logs.takeDroppedCount()
        guard droppedSpans + droppedLogs > 0 else { return }
        counters.spansDropped.add(droppedSpans)
        counters.logRecordsDropped.add(droppedLogs)
        let now = ContinuousClock.now
        let due = lastDropWarning.withLock { last in
            if let previous = last, now - previous < Self.dropWarningInterval { return false }
            last = now
            return true
        }
        guard due else { return }
        Logger(label: "highlight.export").warning(
            "Telemetry queue full: records dropped. Raise Options.exportQueueSize (or OTEL_BSP_MAX_QUEUE_SIZE), lower the batch delay, or sample fewer spans",
            metadata: [
                "spans": "\(droppedSpans)", "logRecords": "\(droppedLogs)",
                "spanQueueSize": "\(settings.spanQueueCapacity)", "logQueueSize": "\(settings.logQueueCapacity)",
                "spansDroppedInAll": "\(counters.spansDropped.count)", "logRecordsDroppedInAll": "\(counters.logRecordsDropped.count)",
            ]
        )
    }

    private func record(_ outcome: OTLPHTTPSender.Outcome, count: Int, signal: OTLPHTTPSender.Signal) {
        let kind = signal == .traces ? "spans" : "log records"
        switch outcome {
        case .sent(let rejected, let message):
            if kind == "spans" { counters.spansExported.add(count) } else { counters.logRecordsExported.add(count) }
            guard rejected > 0 else {
                debugLogger?.debug("Exported", metadata: ["count": "\(count)", "kind": "\(kind)"])
                return
            }
            counters.rejectedByBackend.add(Int(rejected))
            Logger(label: "highlight.export").warning(
                "The OTLP backend rejected part of an export",
                metadata: ["rejected": "\(rejected)", "kind": "\(kind)", "message": "\(message ?? "-")"]
            )
        case .failed(let reason):
            counters.failedExports.increment()
            // Without debug mode a failed export costs the application nothing but the count.
            debugLogger?.warning("Failed to export", metadata: ["count": "\(count)", "kind": "\(kind)", "reason": "\(reason)"])
        }
    }
}
