@testable import Highlight
import HighlightPropagation
import HighlightTracing
import Instrumentation
import Testing
import Tracing

/// The endpoint attributes of Kafka spans are encoded once per body and copied for the spans after (see
/// `SharedEncodings`): every span must still come out with its own endpoint's attributes, once each, in both encodings,
/// when spans of many endpoints are interleaved, when there are more endpoints than are kept, and when a span of an
/// endpoint has attributes of its own.
@Suite("Shared attribute encoding")
struct SharedAttributeEncodingTests {
    /// One more endpoint than the cache keeps, each with its own topic, client and group.
    static let endpoints = (0...SharedEncodings.capacity).map { index in
        MessagingEndpoint(
            operationType: index.isMultiple(of: 2) ? "process" : "send", destination: "topic-\(index)", clientID: "client-\(index)",
            serverAddress: "broker-\(index):9092", consumerGroup: index.isMultiple(of: 2) ? "group-\(index)" : nil
        )
    }

    /// Three rounds over every endpoint, so each endpoint's spans are far apart; the span of round 1, endpoint 2 also
    /// sets an attribute of its own (the per-span list, not the shared run). Span `n` has partition and offset `n`, and
    /// a message key (``key(_:)``); even spans are in one session, odd ones in another.
    static func spans() -> [HighlightSpan] {
        let queue = TelemetryQueue<HighlightSpan>(capacity: 100, batchSize: 100) {}
        let tracer = HighlightTracer(queue: queue)
        let sessions = ["sessionS/requestS", "sessionT/requestT"].map {
            ServiceContext.extract(from: ["x-highlight-request": $0], instrument: tracer)
        }
        var number = 0
        for round in 0..<3 {
            for (index, endpoint) in endpoints.enumerated() {
                let span = tracer.startSpan("span \(number)", context: sessions[number % 2], ofKind: .consumer)
                span.setMessaging(endpoint: endpoint) { fields in
                    fields.partition = Int32(number)
                    fields.offset = Int64(number)
                    fields.key = Self.key(number)
                }
                if round == 1 && index == 2 { span.updateAttributes { $0["own"] = "yes" } }
                span.end()
                number += 1
            }
        }
        return queue.takeAll()
    }

    /// Span `n`'s message key: ASCII, other UTF-8, or bytes that are not UTF-8 (not exported), in turn.
    static func key(_ number: Int) -> [UInt8] {
        switch number % 3 {
        case 0: Array("key-\(number)".utf8)
        case 1: Array("clé-\(number)".utf8)
        default: [0xFF, 0xFE, UInt8(number)]
        }
    }

    @Test(arguments: [OfficialSchema.Input.protobuf, .json])
    func everySpanCarriesItsOwnEndpointsAttributesOnce(input: OfficialSchema.Input) async throws {
        let spans = Self.spans()
        let document = OTLPTraceDocument(resource: OTLPEncodingTests.resource, limits: SpanLimits())
        let body = input == .json ? document.encode(spans, as: OTLPJSONWriter.self) : document.encode(spans, as: OTLPProtobufWriter.self)
        let decoded = try await OfficialSchema.decode(body, as: .traces, input: input)
        let scopeSpans = try #require(((decoded["resource_spans"] as? [[String: Any]])?.first?["scope_spans"] as? [[String: Any]])?.first)
        let exported = try #require(scopeSpans["spans"] as? [[String: Any]])
        #expect(exported.count == 3 * Self.endpoints.count)
        for (number, span) in exported.enumerated() {
            let index = number % Self.endpoints.count
            let own = number == Self.endpoints.count + 2
            #expect(span["name"] as? String == "span \(number)")
            let list = try #require(span["attributes"] as? [[String: Any]])
            let keys = list.compactMap { $0["key"] as? String }
            #expect(Set(keys).count == keys.count, "span \(number) has an attribute twice: \(keys)")
            let grouped = index.isMultiple(of: 2)
            // system, topic, two operation keys, client, server, partition, offset, session, request; a group on even
            // ones; a key unless it is not UTF-8.
            let keyed = number % 3 != 2
            let expectedCount: Int = 10 + (grouped ? 1 : 0) + (own ? 1 : 0) + (keyed ? 1 : 0)
            #expect(keys.count == expectedCount, "span \(number): \(keys)")
            let attributes = OTLPEncodingTests.attributes(list)
            let string = { (key: String) in attributes[key]?["string_value"] as? String }
            #expect(string("messaging.system") == "kafka")
            #expect(string("messaging.destination.name") == "topic-\(index)", "span \(number)")
            #expect(string("messaging.operation.name") == (grouped ? "process" : "send"))
            #expect(string("messaging.client.id") == "client-\(index)")
            #expect(string("server.address") == "broker-\(index):9092")
            #expect(string("messaging.consumer.group.name") == (grouped ? "group-\(index)" : nil))
            #expect(string("messaging.destination.partition.id") == "\(number)")
            #expect(attributes["messaging.kafka.offset"]?["int_value"] as? String == "\(number)")
            #expect(string("highlight.session_id") == (number.isMultiple(of: 2) ? "sessionS" : "sessionT"))
            #expect(string("highlight.trace_id") == (number.isMultiple(of: 2) ? "requestS" : "requestT"))
            #expect(string("own") == (own ? "yes" : nil))
            let expectedKey: String? = keyed ? String(decoding: Self.key(number), as: UTF8.self) : nil
            #expect(string("messaging.kafka.message.key") == expectedKey)
        }
    }

    /// The protobuf body is the same bytes as one written without keeping anything: copying a kept run changes nothing
    /// on the wire. Run 0 is keyed by the span's endpoint, run 1 by one of three other objects in turn.
    @Test func keptRunsLeaveTheProtobufBodyUnchanged() {
        final class Marker {}
        let markers = [Marker(), Marker(), Marker()]
        var shared = SharedEncodings()
        var unshared = OTLPProtobufWriter(capacity: 64)
        var kept = OTLPProtobufWriter(capacity: 64)
        for (number, span) in Self.spans().enumerated() {
            let endpoint = span.ended?.messaging.map { ObjectIdentifier($0.endpoint) }
            let keys = SharedEncodings.Keys(first: endpoint, second: ObjectIdentifier(markers[number % 3]))
            let write = { (writer: inout OTLPProtobufWriter, encodings: inout SharedEncodings) in
                writer.repeated(
                    9, "attributes", sharing: keys, in: &encodings,
                    shared: { run, element in
                        element { $0.string(1, "key", run == 0 ? "endpoint \(String(describing: endpoint))" : "marker \(number % 3)") }
                    },
                    producedBy: { element in element { $0.string(1, "key", span.operationName) } }
                )
            }
            var none = SharedEncodings()
            write(&unshared, &none)
            write(&kept, &shared)
        }
        let (keptBytes, unsharedBytes) = (kept.finish(), unshared.finish())
        let difference = zip(keptBytes, unsharedBytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(keptBytes.count == unsharedBytes.count && difference == nil, "first difference at byte \(difference ?? -1) of \(unsharedBytes.count)")
        #expect(!shared.hasRoom(forRun: 0), "the test's endpoints filled their part of the cache")
        #expect(shared.hasRoom(forRun: 1), "three markers leave room for more")
    }

    /// Sessions and endpoints are kept within budgets of their own: a batch of many sessions still copies its
    /// endpoints' runs.
    @Test func manySessionsDoNotCrowdOutTheEndpoints() {
        final class Marker {}
        let sessions = (0..<(SharedEncodings.capacity * 3)).map { _ in Marker() }
        let endpoint = Marker()
        var shared = SharedEncodings()
        let run: [UInt8] = [1, 2, 3]
        run.withUnsafeBytes { bytes in
            for session in sessions { shared.keep(bytes, for: ObjectIdentifier(session), run: 1) }
            shared.keep(bytes, for: ObjectIdentifier(endpoint), run: 0)
        }
        #expect(shared.withBytes(for: ObjectIdentifier(endpoint)) { Array($0) } == run, "the endpoint's run is kept")
        let keptSessions = sessions.filter { shared.withBytes(for: ObjectIdentifier($0)) { _ in true } == true }.count
        #expect(keptSessions == SharedEncodings.capacity, "sessions past their budget are written each time")
    }
}
