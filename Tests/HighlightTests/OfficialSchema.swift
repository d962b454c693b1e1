import Foundation
import HighlightTestSupport
import Testing

/// Decodes request bodies with the official OpenTelemetry protocol definitions: PyPI's `opentelemetry-proto`, in the
/// virtual environment `make deps` creates at `.build-venv`. The script prints the decoded request as JSON (protobuf's
/// own JSON mapping), which the tests compare field by field.
enum OfficialSchema {
    enum Message: String {
        case traces = "opentelemetry.proto.collector.trace.v1.trace_service_pb2:ExportTraceServiceRequest"
        case logs = "opentelemetry.proto.collector.logs.v1.logs_service_pb2:ExportLogsServiceRequest"
    }

    enum Input: String {
        case protobuf, json, gzipProtobuf = "gzip"
    }

    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path) not found: run `make deps` (it creates the venv with opentelemetry-proto)" }
    }

    static var python: String {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root.appendingPathComponent(".build-venv/bin/python").path
    }

    static let script = """
        import sys, json, gzip, importlib
        from google.protobuf import json_format
        module, name = sys.argv[1].split(":")
        message = getattr(importlib.import_module(module), name)()
        data = open(sys.argv[3], "rb").read()
        if sys.argv[2] == "gzip":
            data = gzip.decompress(data)
        if sys.argv[2] == "json":
            json_format.Parse(data.decode("utf-8"), message)
        else:
            message.ParseFromString(data)
            # Nothing may be left unread: an unknown field means a wrong field number or wire type.
            from google.protobuf.unknown_fields import UnknownFieldSet
            def unknown(m):
                count = len(UnknownFieldSet(m))
                for field, value in m.ListFields():
                    if field.message_type is not None:
                        repeated = getattr(field, "is_repeated", None)
                        if repeated is None:
                            repeated = field.label == field.LABEL_REPEATED
                        for item in (value if repeated else [value]):
                            count += unknown(item)
                return count
            if unknown(message):
                raise SystemExit("unknown fields: a field number or wire type is wrong")
        print(json_format.MessageToJson(message, preserving_proto_field_name=True))
        """

    /// The request `body` decoded as `message`, as protobuf's JSON mapping with the proto field names.
    static func decode(_ body: [UInt8], as message: Message, input: Input) async throws -> [String: Any] {
        guard FileManager.default.isExecutableFile(atPath: python) else { throw Missing(path: python) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("otlp-\(UUID().uuidString).bin")
        try Data(body).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await ChildProcess.run(URL(fileURLWithPath: python), ["-c", script, message.rawValue, input.rawValue, file.path])
        #expect(result.status == 0, "the official schema refused the body: \(result.errors)")
        let data = Data(result.output.utf8)
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }
}
