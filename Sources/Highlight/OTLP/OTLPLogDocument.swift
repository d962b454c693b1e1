/// `ExportLogsServiceRequest` for queued log records: one resource, one scope.
///
/// Field numbers are those of opentelemetry-proto's `logs/v1/logs.proto`; a test decodes the output with the official
/// definitions.
struct OTLPLogDocument {
    let resource: OTLPResource

    func encode<Encoding: OTLPEncoding>(_ records: [OTLPLogRecord], as _: Encoding.Type) -> [UInt8] {
        var writer = Encoding(capacity: 1024 + records.count * 384)
        writer.one(1, "resourceLogs", lengthBytes: 3) { resourceLogs in
            resource.writeResource(into: &resourceLogs)
            resourceLogs.one(2, "scopeLogs", lengthBytes: 3) { scopeLogs in
                resource.writeScope(into: &scopeLogs)
                scopeLogs.repeated(2, "logRecords", records) { writer, record in write(record, into: &writer) }
            }
        }
        return writer.finish()
    }

    private func write<Writer: OTLPWriter>(_ record: OTLPLogRecord, into writer: inout Writer) {
        writer.fixed64(1, "timeUnixNano", record.timeNanoseconds)
        writer.enumeration(2, "severityNumber", record.severityNumber)
        writer.string(3, "severityText", record.severityText)
        writer.message(5, "body") { $0.oneofString(1, "stringValue", record.body) }
        writer.repeated(6, "attributes", record.attributes.sorted { $0.key < $1.key }) { keyValue, entry in
            OTLPAttributes.keyValue(entry.key, into: &keyValue) { OTLPAttributes.write(entry.value, into: &$0) }
        }
        if let traceID = record.traceID { writer.id(9, "traceId", traceID) }
        if let spanID = record.spanID { writer.id(10, "spanId", spanID) }
        writer.fixed64(11, "observedTimeUnixNano", record.timeNanoseconds)
    }
}
