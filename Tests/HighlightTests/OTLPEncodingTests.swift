@testable import Highlight
import HighlightPropagation
import HighlightTracing
import Instrumentation
import Logging
import NIOCore
import Testing
import Tracing

/// Every body the exporter sends, decoded with the official OpenTelemetry definitions: field numbers, wire types,
/// JSON names, gzip.
@Suite("OTLP encoding against the official schema")
struct OTLPEncodingTests {
    static let resource = OTLPResource(
        attributes: [("service.name", "encoding-tests"), ("highlight.project_id", "p1")],
        scopeName: "swift-highlight-propagation", scopeVersion: "0.1.0"
    )

    /// Two ended spans: a consumer span with every kind of attribute, an event, a link and an error status, in a
    /// session; and a root span with a long name (a message over 128 bytes, so lengths take two bytes).
    static func spans() -> [HighlightSpan] {
        let queue = TelemetryQueue<HighlightSpan>(capacity: 10, batchSize: 10) {}
        let tracer = HighlightTracer(queue: queue)
        let parent = ServiceContext.extract(
            from: [
                "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "congo=t61rcWkgMzE",
                "x-highlight-request": "sessionE/requestE",
            ],
            instrument: tracer
        )
        let span = tracer.startSpan("process orders", context: parent, ofKind: .consumer)
        span.updateAttributes { attributes in
            attributes["text"] = "quote \" backslash \\ newline \n tab \t bell \u{7} é"
            attributes["int"] = 42
            attributes["negative"] = -7
            // A oneof member holding its type's default is still a value (a partition or an offset of 0).
            attributes["zero"] = 0
            attributes["empty"] = ""
            attributes["double"] = 0.5
            attributes["flag"] = false
            attributes["list"] = ["a", "b"]
        }
        span.addEvent(SpanEvent(name: "exception", attributes: ["exception.type": "E", "exception.message": "failed"]))
        span.addLink(SpanLink(context: parent, attributes: ["link.kind": "creation"]))
        span.setStatus(SpanStatus(code: .error, message: "it failed"))
        span.end()
        let root = tracer.startSpan(String(repeating: "long name ", count: 20), context: .topLevel, ofKind: .producer)
        root.end()
        return queue.takeAll()
    }

    static func attributes(_ list: Any?) -> [String: [String: Any]] {
        var result: [String: [String: Any]] = [:]
        for entry in list as? [[String: Any]] ?? [] {
            if let key = entry["key"] as? String { result[key] = entry["value"] as? [String: Any] ?? [:] }
        }
        return result
    }

    /// The exporter keeps its compressors between requests: one reused for another body compresses that body alone
    /// (nothing of the one before in it), and only one is kept for one request at a time.
    @Test func aReusedCompressorCompressesEachBodyAlone() async throws {
        let pool = GzipPool(keep: 1)
        let document = OTLPTraceDocument(resource: Self.resource, limits: SpanLimits())
        let spans = Self.spans()
        let bodies = [document.encode(spans, as: OTLPProtobufWriter.self), document.encode(spans.prefix(1), as: OTLPProtobufWriter.self)]
        for (index, body) in bodies.enumerated() {
            let compressed = try #require(pool.compress(body))
            #expect(pool.idleCount == 1, "one compressor, kept after body \(index)")
            let decoded = try await OfficialSchema.decode(Array(compressed.readableBytesView), as: .traces, input: .gzipProtobuf)
            let resourceSpans = try #require((decoded["resource_spans"] as? [[String: Any]])?.first)
            let scopeSpans = try #require((resourceSpans["scope_spans"] as? [[String: Any]])?.first)
            #expect((scopeSpans["spans"] as? [[String: Any]])?.count == (index == 0 ? 2 : 1))
        }
    }

    @Test(arguments: [OfficialSchema.Input.protobuf, .json, .gzipProtobuf])
    func spansDecodeWithEveryFieldWhereItBelongs(input: OfficialSchema.Input) async throws {
        let spans = Self.spans()
        let document = OTLPTraceDocument(resource: Self.resource, limits: SpanLimits())
        let body: [UInt8]
        switch input {
        case .protobuf: body = document.encode(spans, as: OTLPProtobufWriter.self)
        case .json: body = document.encode(spans, as: OTLPJSONWriter.self)
        case .gzipProtobuf: body = try #require(Gzip.compressedBytes(document.encode(spans, as: OTLPProtobufWriter.self)))
        }
        let decoded = try await OfficialSchema.decode(body, as: .traces, input: input)
        let resourceSpans = try #require((decoded["resource_spans"] as? [[String: Any]])?.first)
        let resource = Self.attributes((resourceSpans["resource"] as? [String: Any])?["attributes"])
        #expect(resource["service.name"]?["string_value"] as? String == "encoding-tests")
        #expect(resource["highlight.project_id"]?["string_value"] as? String == "p1")
        let scopeSpans = try #require((resourceSpans["scope_spans"] as? [[String: Any]])?.first)
        #expect((scopeSpans["scope"] as? [String: Any])?["name"] as? String == "swift-highlight-propagation")
        let exported = try #require(scopeSpans["spans"] as? [[String: Any]])
        #expect(exported.count == 2)

        // protobuf's JSON mapping prints bytes in base64; OTLP/JSON sends ids in hex, which that mapping reads as
        // base64 and prints back unchanged, so a JSON body's ids come back as the hex that was sent.
        let id = { (hex: String, base64: String) in input == .json ? hex : base64 }
        let consumer = exported[0]
        #expect(consumer["trace_id"] as? String == id("4bf92f3577b34da6a3ce929d0e0e4736", "S/kvNXezTaajzpKdDg5HNg=="))
        #expect(consumer["parent_span_id"] as? String == id("00f067aa0ba902b7", "APBnqgupArc="))
        #expect((consumer["span_id"] as? String)?.count == (input == .json ? 16 : 12))
        #expect(consumer["trace_state"] as? String == "congo=t61rcWkgMzE")
        #expect(consumer["name"] as? String == "process orders")
        #expect(consumer["kind"] as? String == "SPAN_KIND_CONSUMER")
        #expect(consumer["flags"] as? Int == 1)
        let start = UInt64(consumer["start_time_unix_nano"] as? String ?? "") ?? 0
        let end = UInt64(consumer["end_time_unix_nano"] as? String ?? "") ?? 0
        #expect(start > 1_700_000_000_000_000_000 && end >= start)
        let attributes = Self.attributes(consumer["attributes"])
        #expect(attributes["text"]?["string_value"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{7} é")
        #expect(attributes["int"]?["int_value"] as? String == "42")
        #expect(attributes["negative"]?["int_value"] as? String == "-7")
        #expect(attributes["zero"]?["int_value"] as? String == "0", "\(attributes["zero"] ?? [:])")
        #expect(attributes["empty"]?["string_value"] as? String == "", "\(attributes["empty"] ?? [:])")
        #expect(attributes["double"]?["double_value"] as? Double == 0.5)
        #expect(attributes["flag"]?["bool_value"] as? Bool == false)
        let list = (attributes["list"]?["array_value"] as? [String: Any])?["values"] as? [[String: Any]]
        #expect(list?.compactMap { $0["string_value"] as? String } == ["a", "b"])
        #expect(attributes["highlight.session_id"]?["string_value"] as? String == "sessionE")
        #expect(attributes["highlight.trace_id"]?["string_value"] as? String == "requestE")
        let event = try #require((consumer["events"] as? [[String: Any]])?.first)
        #expect(event["name"] as? String == "exception")
        #expect(Self.attributes(event["attributes"])["exception.message"]?["string_value"] as? String == "failed")
        let link = try #require((consumer["links"] as? [[String: Any]])?.first)
        #expect(link["span_id"] as? String == id("00f067aa0ba902b7", "APBnqgupArc="))
        #expect(Self.attributes(link["attributes"])["link.kind"]?["string_value"] as? String == "creation")
        let status = try #require(consumer["status"] as? [String: Any])
        #expect(status["code"] as? String == "STATUS_CODE_ERROR")
        #expect(status["message"] as? String == "it failed")

        let root = exported[1]
        #expect(root["name"] as? String == String(repeating: "long name ", count: 20))
        #expect(root["kind"] as? String == "SPAN_KIND_PRODUCER")
        #expect(root["parent_span_id"] == nil)
        #expect(root["flags"] as? Int == 3)
    }

    @Test(arguments: [OfficialSchema.Input.protobuf, .json])
    func logRecordsDecodeWithSeverityBodyAttributesAndIds(input: OfficialSchema.Input) async throws {
        let records = [
            OTLPLogRecord(
                timeNanoseconds: 1_764_000_000_123_456_789, level: .warning, body: "charging \"order\" 42",
                attributes: ["highlight.session_id": "sessionL", "nested": ["k": "v"], "list": ["x", "y"]],
                traceID: Array(repeating: 0xAB, count: 16), spanID: Array(repeating: 0xCD, count: 8)
            ),
            OTLPLogRecord(timeNanoseconds: 1_764_000_000_000_000_000, level: .critical, body: String(repeating: "x", count: 300), attributes: [:]),
        ]
        let document = OTLPLogDocument(resource: Self.resource)
        let body = input == .json ? document.encode(records, as: OTLPJSONWriter.self) : document.encode(records, as: OTLPProtobufWriter.self)
        let decoded = try await OfficialSchema.decode(body, as: .logs, input: input)
        let scopeLogs = try #require(((decoded["resource_logs"] as? [[String: Any]])?.first?["scope_logs"] as? [[String: Any]])?.first)
        let exported = try #require(scopeLogs["log_records"] as? [[String: Any]])
        #expect(exported.count == 2)
        let first = exported[0]
        #expect(first["time_unix_nano"] as? String == "1764000000123456789")
        #expect(first["observed_time_unix_nano"] as? String == "1764000000123456789")
        #expect(first["severity_number"] as? String == "SEVERITY_NUMBER_WARN")
        #expect(first["severity_text"] as? String == "warning")
        #expect((first["body"] as? [String: Any])?["string_value"] as? String == "charging \"order\" 42")
        #expect(first["trace_id"] as? String == (input == .json ? String(repeating: "ab", count: 16) : "q6urq6urq6urq6urq6urqw=="))
        #expect(first["span_id"] as? String == (input == .json ? String(repeating: "cd", count: 8) : "zc3Nzc3Nzc0="))
        let attributes = Self.attributes(first["attributes"])
        #expect(attributes["highlight.session_id"]?["string_value"] as? String == "sessionL")
        let nested = (attributes["nested"]?["kvlist_value"] as? [String: Any])?["values"] as? [[String: Any]]
        #expect(nested?.first?["key"] as? String == "k")
        let second = exported[1]
        #expect(second["severity_text"] as? String == "error", "highlight knows no critical")
        #expect(second["severity_number"] as? String == "SEVERITY_NUMBER_FATAL")
        #expect(((second["body"] as? [String: Any])?["string_value"] as? String)?.count == 300)
    }

    @Test func partialSuccessIsReadFromProtobufAndJSON() {
        // ExportTraceServiceResponse { partial_success = 1 { rejected_spans = 1: 3, error_message = 2: "bad" } }
        let protobuf: [UInt8] = [0x0A, 0x07, 0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64]
        #expect(OTLPPartialSuccess.read(protobuf, contentType: "application/x-protobuf") == .sent(rejected: 3, message: "bad"))
        let json = Array(#"{"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"too old"}}"#.utf8)
        #expect(OTLPPartialSuccess.read(json, contentType: "application/json") == .sent(rejected: 2, message: "too old"))
        #expect(OTLPPartialSuccess.read([], contentType: nil) == .sent(rejected: 0, message: nil))
    }
}

extension Gzip {
    /// What the sender puts on the wire, as bytes to decode.
    static func compressedBytes(_ input: [UInt8]) -> [UInt8]? {
        compress(input).map { Array($0.readableBytesView) }
    }
}
