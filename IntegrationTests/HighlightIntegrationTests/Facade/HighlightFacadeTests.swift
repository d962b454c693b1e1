import Logging
import Foundation
import Highlight
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Instrumentation
import Synchronization
import Testing

@Suite("Highlight facade over OTLP", .serialized, .timeLimit(.minutes(2)), .readsSharedReceiver)
struct HighlightFacadeTests {
    struct PaymentDeclined: Error, CustomStringConvertible {
        let marker: String
        var description: String { "card declined (\(marker))" }
    }

    struct Silent: Error, CustomStringConvertible {
        let marker: String
        var description: String { "" }
    }

    @Test func anErrorInsideARestoredContextCarriesTheSessionRequestAndProject() async throws {
        let receiver = try await TestHighlight.ready()
        let marker = UUID().uuidString
        let context = ServiceContext.extract(from: ["x-highlight-request": "facadeSession/facadeRequest"])
        ServiceContext.withValue(context) { H.consumeError(PaymentDeclined(marker: marker), metadata: ["order": "42"]) }
        let records = try await receiver.waitFor { $0.contains { $0.attributes["exception.message"]?.contains(marker) == true } }
        let exported = records.filter { $0.attributes["exception.message"]?.contains(marker) == true }
        #expect(exported.count == 1, "exported exactly once")
        let error = try #require(exported.first)
        // Printed for the record: what a highlight-compatible backend receives for one error.
        FileHandle.standardError.write(Data("EXPORTED ERROR \(error.attributes.filter { $0.key != "exception.stacktrace" }.sorted { $0.key < $1.key })\n".utf8))
        #expect(error.kind == "event" && error.name == "exception")
        #expect(error.attributes["exception.type"]?.hasSuffix("HighlightFacadeTests.PaymentDeclined") == true)
        #expect(error.attributes["exception.message"] == "card declined (\(marker))")
        #expect(error.attributes["exception.stacktrace"]?.isEmpty == false)
        #expect(error.attributes["highlight.session_id"] == "facadeSession")
        #expect(error.attributes["highlight.trace_id"] == "facadeRequest")
        #expect(error.attributes["highlight.project_id"] == TestHighlight.projectID)
        #expect(error.attributes["order"] == "42")
        // Resource attributes.
        #expect(error.attributes["service.name"] == "integration-tests")
        #expect(error.attributes["service.version"] == "9.9.9")
        #expect(error.attributes["deployment.environment"] == "test")
        #expect(error.attributes["telemetry.distro.name"] == "swift-highlight-propagation")
        #expect(receiver.requests.contains { $0.headers["x-highlight-project"] == TestHighlight.projectID })
    }

    @Test func anErrorOutsideAnyContextIsStillExportedAtProjectLevel() async throws {
        let receiver = try await TestHighlight.ready()
        let marker = UUID().uuidString
        H.consumeError(PaymentDeclined(marker: marker))
        let records = try await receiver.waitFor { $0.contains { $0.attributes["exception.message"]?.contains(marker) == true } }
        let error = try #require(records.first { $0.attributes["exception.message"]?.contains(marker) == true })
        #expect(error.attributes["highlight.session_id"] == nil)
        #expect(error.attributes["highlight.project_id"] == TestHighlight.projectID)
    }

    @Test func explicitIdsWinAndAnEmptyMessageFallsBackToTheTypeName() async throws {
        let receiver = try await TestHighlight.ready()
        H.consumeError(Silent(marker: "x"), secureSessionID: "explicitSession", requestID: "explicitRequest")
        let records = try await receiver.waitFor { $0.contains { $0.attributes["highlight.session_id"] == "explicitSession" } }
        let error = try #require(records.first { $0.attributes["highlight.session_id"] == "explicitSession" })
        #expect(error.attributes["exception.message"]?.hasSuffix("Silent") == true)
        #expect(error.attributes["highlight.trace_id"] == "explicitRequest")
    }

    @Test func logsCarrySeverityTextSessionAndCodeLocation() async throws {
        let receiver = try await TestHighlight.ready()
        let marker = UUID().uuidString
        let context = ServiceContext.extract(from: ["x-highlight-request": "logSession/logRequest"])
        ServiceContext.withValue(context) {
            H.log("info \(marker)")
            H.log("warn \(marker)", level: .warning)
            H.log("error \(marker)", level: .error, metadata: ["k": "v"])
            H.log("critical \(marker)", level: .critical)
        }
        let records = try await receiver.waitFor { records in records.filter { $0.kind == "log" && $0.name.contains(marker) }.count == 4 }
        let logs = records.filter { $0.kind == "log" && $0.name.contains(marker) }
        if let record = logs.first(where: { $0.name.hasPrefix("error") }) {
            FileHandle.standardError.write(Data("EXPORTED LOG severity=\(record.severityText ?? "-") body=\(record.name) \(record.attributes.sorted { $0.key < $1.key })\n".utf8))
        }
        let severities = Dictionary(uniqueKeysWithValues: logs.map { ($0.name.split(separator: " ")[0], $0.severityText ?? "") })
        #expect(severities["info"] == "info")
        #expect(severities["warn"] == "warning")
        #expect(severities["error"] == "error")
        #expect(severities["critical"] == "error", "highlight knows no 'critical': sent as error")
        let allowed: Set<String> = ["trace", "debug", "info", "warn", "warning", "error", "fatal", "panic"]
        #expect(logs.allSatisfy { allowed.contains($0.severityText?.lowercased() ?? "") })
        for log in logs {
            #expect(log.attributes["highlight.session_id"] == "logSession")
            #expect(log.attributes["highlight.trace_id"] == "logRequest")
            #expect(log.attributes["code.filepath"]?.hasSuffix("HighlightFacadeTests.swift") == true)
            #expect(Int(log.attributes["code.lineno"] ?? "") != nil)
            #expect(log.attributes["code.function"]?.isEmpty == false)
            #expect(log.attributes["highlight.project_id"] == TestHighlight.projectID)
        }
        #expect(logs.first { $0.name.hasPrefix("error") }?.attributes["k"] == "v")
    }

    @Test func parseHeadersFollowsThisPackagesRules() {
        #expect(H.parseHeaders(["X-Highlight-Request": "s/r"]) == HighlightRequestContext(sessionSecureID: "s", requestID: "r"))
        #expect(H.parseHeaders(["baggage": "x-highlight-request=py%2Freq"])?.sessionSecureID == "py")
        #expect(H.parseHeaders(["x-highlight-request": "/only-request"]) == nil)
        #expect(H.parseHeaders(["x-highlight-request": "a\r\nb/c"]) == nil)
    }

    @Test func aKafkaHandlerErrorIsExportedOnceWithTheMessagesSession() async throws {
        let receiver = try await TestHighlight.ready()
        let topic = try await TestKafka.makeTopic("facade")
        let producer = TracedKafkaProducer(producer: try TestKafka.producer())
        _ = try await ServiceContext.withValue(ServiceContext.extract(from: ["x-highlight-request": "kafkaS/kafkaR"])) {
            try await producer.send(KafkaProducerRecord(topic: topic, value: "boom"))
        }
        await producer.shutdown()

        let marker = UUID().uuidString
        let reports = Atomic<Int>(0)
        let consumer = TracedKafkaConsumer(
            consumer: try TestKafka.groupMember(topic: topic, group: "facade-\(topic)"),
            configuration: .init(errorPolicy: .skip, errorReporter: { failure in
                reports.add(1, ordering: .relaxed)
                H.consumeError(failure.error)
            }),
            logger: TestKafka.logger
        )
        try await withTimeout(.seconds(60)) {
            try await consumer.run { _ in
                consumer.triggerShutdown()
                throw PaymentDeclined(marker: marker)
            }
        }
        let reported = reports.load(ordering: .relaxed)
        #expect(reported == 1, "one failure, one report")
        _ = try await receiver.waitFor { $0.contains { $0.attributes["exception.message"]?.contains(marker) == true } }
        // An error reported after it has been exported too: a second copy of the first, queued before, has had its
        // export by then.
        try await TestHighlight.waitUntilDrained(receiver)
        let exported = receiver.records.filter { $0.attributes["exception.message"]?.contains(marker) == true }
        #expect(exported.count == 1, "one failure, one exported error")
        #expect(exported.first?.attributes["highlight.session_id"] == "kafkaS")
        #expect(exported.first?.attributes["highlight.trace_id"] == "kafkaR")
    }
}
