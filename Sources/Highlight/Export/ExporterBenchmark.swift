import AsyncHTTPClient
import HighlightPropagation
import HighlightTracing
import Instrumentation
import Tracing

/// The exporter alone, for `hlkafka bench-export`: `spans` ended Kafka consumer spans in a session (made before the
/// clock starts), encoded and sent to `endpoint` the way `H.bootstrap`'s exporter sends them (protobuf, gzip,
/// batches of 512, 4 requests in flight).
package enum ExporterBenchmark {
    package struct Result: Sendable {
        package let spans: Int
        package let seconds: Double
        package let exported: Int
        package let failedRequests: Int
    }

    package static func run(spans count: Int, endpoint: String) async -> Result {
        let counters = HighlightCounters()
        let settings = TelemetryExporter.Settings(
            batchDelay: .seconds(1), spanQueueCapacity: count, logQueueCapacity: count, spanBatchSize: 512, logBatchSize: 512, concurrentRequests: 4, protobuf: true,
            resource: OTLPResource(
                attributes: [("service.name", "hlkafka-bench-export"), (HighlightAttribute.projectID, "bench")],
                scopeName: "swift-highlight-propagation", scopeVersion: HighlightVersion.current
            ),
            limits: SpanLimits()
        )
        let sender = OTLPHTTPSender(
            client: .shared, endpoint: endpoint, contentType: OTLPProtobufWriter.contentType, gzip: true,
            headers: [(HighlightAttribute.projectHeader, "bench")]
        )
        let exporter = TelemetryExporter(settings: settings, sender: sender, counters: counters, debugLogger: nil)
        let tracer = HighlightTracer(queue: exporter.spans)
        let parent = ServiceContext.extract(
            from: [
                "x-highlight-request": "k3bP0aQeR7tYuI9oPlKjHgFdSa1A/a1B2c3D4e5",
                "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ],
            instrument: tracer
        )
        let endpoint = MessagingEndpoint(
            operationType: "process", destination: "orders", clientID: "bench", serverAddress: "127.0.0.1", consumerGroup: "workers"
        )
        for offset in 0..<count {
            let span = tracer.startSpan("process orders", context: parent, ofKind: .consumer)
            var fields = MessagingFields(endpoint: endpoint)
            fields.partition = Int32(offset % 64)
            fields.offset = Int64(offset)
            fields.bodySize = 100
            fields.key = Array("order-\(offset)".utf8)
            span.setMessaging(fields)
            span.end()
        }
        let started = ContinuousClock.now
        await exporter.exportQueued()
        let elapsed = ContinuousClock.now - started
        let statistics = counters.snapshot
        return Result(
            spans: count,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            exported: statistics.spansExported,
            failedRequests: statistics.exportsFailed
        )
    }
}
