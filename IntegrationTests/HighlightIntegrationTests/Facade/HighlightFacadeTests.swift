import Logging
import Foundation
import Highlight
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Instrumentation
import Synchronization
import Testing

@Suite("Highlight facade over OTLP", .serialized, .timeLimit(.minutes(2)))
struct HighlightFacadeTests {
    struct PaymentDeclined: Error, CustomStringConvertible {
        let marker: String
        var description: String { "card declined (\(marker))" }
    }

    struct Silent: Error, CustomStringConvertible {
        let marker: String
        var description: String { "" }
    }

    @Test(.readsSharedReceiver) func anErrorInsideARestoredContextCarriesTheSessionRequestAndProject() async throws {
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

    @Test(.readsSharedReceiver) func anErrorOutsideAnyContextIsStillExportedAtProjectLevel() async throws {
        let receiver = try await TestHighlight.ready()
        let marker = UUID().uuidString
        H.consumeError(PaymentDeclined(marker: marker))
        let records = try await receiver.waitFor { $0.contains { $0.attributes["exception.message"]?.contains(marker) == true } }
        let error = try #require(records.first { $0.attributes["exception.message"]?.contains(marker) == true })
        #expect(error.attributes["highlight.session_id"] == nil)
        #expect(error.attributes["highlight.project_id"] == TestHighlight.projectID)
    }

    @Test(.readsSharedReceiver) func explicitIdsWinAndAnEmptyMessageFallsBackToTheTypeName() async throws {
        let receiver = try await TestHighlight.ready()
        H.consumeError(Silent(marker: "x"), secureSessionID: "explicitSession", requestID: "explicitRequest")
        let records = try await receiver.waitFor { $0.contains { $0.attributes["highlight.session_id"] == "explicitSession" } }
        let error = try #require(records.first { $0.attributes["highlight.session_id"] == "explicitSession" })
        #expect(error.attributes["exception.message"]?.hasSuffix("Silent") == true)
        #expect(error.attributes["highlight.trace_id"] == "explicitRequest")
    }

    @Test(.readsSharedReceiver) func logsCarrySeverityTextSessionAndCodeLocation() async throws {
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

    @Test(.readsSharedReceiver) func aKafkaHandlerErrorIsExportedOnceWithTheMessagesSession() async throws {
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
        try await waitUntilHealthy(receiver)
        let exported = receiver.records.filter { $0.attributes["exception.message"]?.contains(marker) == true }
        #expect(exported.count == 1, "one failure, one exported error")
        #expect(exported.first?.attributes["highlight.session_id"] == "kafkaS")
        #expect(exported.first?.attributes["highlight.trace_id"] == "kafkaR")
    }

    /// The backend answers nothing until the calls are done: had any call waited on the network, it would never have
    /// returned (the suite's time limit fails it).
    @Test(.disruptsSharedReceiver) func aBackendThatNeverAnswersDoesNotHoldTheCaller() async throws {
        let receiver = try await TestHighlight.ready()
        receiver.setBehaviour(.hold)
        defer { receiver.release() }  // the receiver is shared: never leave it holding, whatever happens here
        let before = receiver.requests.count
        for index in 0..<10_000 { H.log("under a backend that does not answer \(index)") }
        for _ in 0..<100 { H.consumeError(PaymentDeclined(marker: "held")) }
        // The exporter did reach the backend meanwhile: the calls returned while it was holding requests.
        try await withTimeout(.seconds(60)) { await receiver.waitForRequests(before + 1) }
        receiver.release()
        try await waitUntilHealthy(receiver)
    }

    /// Waits until an error reported now reaches the receiver, so the next test starts on a drained pipeline.
    func waitUntilHealthy(_ receiver: OTLPTestReceiver) async throws {
        let marker = "healthy-\(UUID().uuidString)"
        H.consumeError(PaymentDeclined(marker: marker))
        _ = try await receiver.waitFor(timeout: .seconds(90)) { $0.contains { $0.attributes["exception.message"]?.contains(marker) == true } }
    }

    @Test(.disruptsSharedReceiver) func aBackendThatFailsCostsTheCallerNothingButCountedDrops() async throws {
        let receiver = try await TestHighlight.ready()
        receiver.setBehaviour(.fail)
        let failedBefore = Highlight.statistics.exportsFailed
        let requestsBefore = receiver.requests.count
        let residentBefore = residentMemoryBytes()
        try #require(residentBefore > 0, "resident memory is read from /proc")
        for index in 0..<10_000 { H.log("under a failing backend \(index)") }
        // Counted by the exporter once its retries are spent: waited for (with a deadline), the test's own requests
        // having reached the failing backend first.
        try await withTimeout(.seconds(60)) { await receiver.waitForRequests(requestsBefore + 1) }
        let deadline = ContinuousClock.now + .seconds(20)
        while Highlight.statistics.exportsFailed == failedBefore && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(Highlight.statistics.exportsFailed > failedBefore, "failed exports are counted")
        let growth = residentMemoryBytes() - residentBefore
        #expect(growth < 200 * 1024 * 1024, "the bounded queue keeps memory bounded (grew \(growth) bytes)")
        receiver.setBehaviour(.accept)
        try await waitUntilHealthy(receiver)
    }
}

/// The process's resident memory, from /proc.
func residentMemoryBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
