import HighlightTestSupport
@testable import Highlight
import HighlightTracing
import Instrumentation
import Logging
import Testing
import Tracing

/// The exporter cuts what it takes into requests of its batch size (`Options.exportBatchSize`,
/// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`), against the scripted endpoint of the sender's tests.
@Suite("Exporter batches", .serialized, .timeLimit(.minutes(1)))
struct TelemetryExporterBatchTests {
    @Test func sevenSpansInBatchesOfThreeMakeThreeRequests() async throws {
        let endpoint = try await OTLPHTTPSenderTests.Endpoint.start([])
        let counters = HighlightCounters()
        let settings = TelemetryExporter.Settings(
            batchDelay: .seconds(600), spanQueueCapacity: 100, logQueueCapacity: 100, spanBatchSize: 3, logBatchSize: 2,
            concurrentRequests: 1, protobuf: true,
            resource: OTLPResource(attributes: [("service.name", "batch-test")], scopeName: "test", scopeVersion: "0"),
            limits: SpanLimits()
        )
        let exporter = TelemetryExporter(
            settings: settings, sender: OTLPHTTPSenderTests.sender(port: endpoint.port), counters: counters, debugLogger: nil
        )
        let tracer = HighlightTracer(queue: exporter.spans)
        for index in 0..<7 { tracer.startSpan("work \(index)", context: .topLevel).end() }
        await exporter.exportQueued()
        #expect(counters.spansExported.count == 7)
        // Every request of that export was answered before it returned, so the log request of the next export comes
        // after all of them: the requests up to it are this export's.
        exporter.logs.push(OTLPLogRecord(timeNanoseconds: 1, level: .info, body: "after", attributes: [:]))
        await exporter.exportQueued()
        var traceRequests = 0
        while let line = await endpoint.nextLine(), !line.hasPrefix("request /v1/logs") {
            if line.hasPrefix("request /v1/traces") { traceRequests += 1 }
        }
        #expect(traceRequests == 3)
    }
}
