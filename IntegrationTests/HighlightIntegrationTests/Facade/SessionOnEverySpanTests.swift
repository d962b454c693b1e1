import AsyncHTTPClient
import Foundation
import HighlightAsyncHTTPClient
import HighlightHummingbird
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Hummingbird
import NIOHTTP1
import Testing

/// highlight shows a session's trace view from the spans that carry `highlight.session_id`. With the package's own
/// tracer (bootstrapped by `H.bootstrap`, exporting to this process's receiver), every span a session-bearing request
/// causes carries it: the API's SERVER span, its CLIENT call, the inventory's SERVER span, the Kafka `send` and the
/// worker's `process`.
@Suite("The session on every span", .timeLimit(.minutes(2)), .readsSharedReceiver)
struct SessionOnEverySpanTests {
    @Test func everySpanOfASessionBearingRequestCarriesTheSessionOverHTTPAndKafka() async throws {
        let receiver = try await TestHighlight.ready()
        let session = "everySpan\(UUID().uuidString.prefix(8))"
        let traceID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let topic = try await TestKafka.makeTopic("every-span")

        let producer = TracedKafkaProducer(producer: try TestKafka.producer())
        let inventoryRouter = Router()
        inventoryRouter.add(middleware: HighlightMiddleware())
        inventoryRouter.post("reserve") { _, _ -> HTTPResponse.Status in
            try await producer.send(KafkaProducerRecord(topic: topic, value: "reserved"))
            return .ok
        }
        let inventory = try await TestHTTPServer.start(inventoryRouter)
        defer { inventory.stop() }

        let client = HighlightHTTPClient(tracingOrigins: TracingOrigins(["127.0.0.1:\(inventory.port)"]))
        let apiRouter = Router()
        apiRouter.add(middleware: HighlightMiddleware())
        apiRouter.post("orders/{id}") { _, _ -> HTTPResponse.Status in
            var reserve = HTTPClientRequest(url: "\(inventory.baseURL)/reserve")
            reserve.method = .POST
            _ = try await client.execute(reserve, timeout: .seconds(10))
            return .accepted
        }
        let api = try await TestHTTPServer.start(apiRouter)
        defer { api.stop() }

        let response = try await HTTPPropagationTests.send("\(api.baseURL)/orders/7", method: .POST, headers: [
            ("x-highlight-request", "\(session)/r1"), ("traceparent", "00-\(traceID)-00f067aa0ba902b7-01"),
        ])
        #expect(response.status == .accepted)
        await producer.shutdown()

        let worker = TracedKafkaConsumer(consumer: try TestKafka.groupMember(topic: topic, group: "every-span-\(topic)"), logger: TestKafka.logger)
        let carried = LockedArray<String>()
        try await withTimeout(.seconds(60)) {
            try await worker.run { traced in
                // What the message carried, as the handler reads it (made on demand from what the span started from).
                carried.append("\(traced.highlightRequest?.sessionSecureID ?? "-") \(traced.extractedContext.highlightRequest?.sessionSecureID ?? "-")")
                worker.triggerShutdown()
            }
        }
        #expect(carried.values == ["\(session) \(session)"])

        let expected: Set<String> = ["POST /orders/{id}", "POST", "POST /reserve", "send \(topic)", "process \(topic)"]
        try await withTimeout(.seconds(60)) {
            await receiver.waitForSpans { spans in expected.isSubset(of: Set(spans.filter { $0.traceID == traceID }.map(\.name))) }
        }
        let trace = receiver.spans.filter { $0.traceID == traceID }
        #expect(Set(trace.map(\.name)) == expected, "the request's spans, and no other")
        // The spans as the receiver got them, for a reader of the test's output.
        print("| span | highlight.session_id | highlight.trace_id |\n|---|---|---|")
        for span in trace { print("| \(span.name) | \(span.attributes["highlight.session_id"] ?? "-") | \(span.attributes["highlight.trace_id"] ?? "-") |") }
        for span in trace {
            #expect(span.attributes["highlight.session_id"] == session, "\(span.name) carries the session")
            #expect(span.attributes["highlight.trace_id"] == "r1", "\(span.name) carries the request id")
        }
    }
}
