import Logging
import Tracing

/// `KeyValue { string key = 1; AnyValue value = 2; }` and `AnyValue`'s oneof (`string_value = 1`, `bool_value = 2`,
/// `int_value = 3`, `double_value = 4`, `array_value = 5`, `kvlist_value = 6`) for span attributes and log metadata.
enum OTLPAttributes {
    static func keyValue<Writer: OTLPWriter>(_ key: String, into writer: inout Writer, _ value: (inout Writer) -> Void) {
        writer.string(1, "key", key)
        writer.message(2, "value", value)
    }

    static func write<Writer: OTLPWriter>(_ attribute: SpanAttribute, into writer: inout Writer) {
        switch attribute {
        case .string(let value): writer.oneofString(1, "stringValue", value)
        case .bool(let value): writer.bool(2, "boolValue", value)
        case .int32(let value): writer.oneofInt64(3, "intValue", Int64(value))
        case .int64(let value): writer.oneofInt64(3, "intValue", value)
        case .double(let value): writer.double(4, "doubleValue", value)
        case .stringArray(let values): array(values, into: &writer) { $0.oneofString(1, "stringValue", $1) }
        case .boolArray(let values): array(values, into: &writer) { $0.bool(2, "boolValue", $1) }
        case .int32Array(let values): array(values, into: &writer) { $0.oneofInt64(3, "intValue", Int64($1)) }
        case .int64Array(let values): array(values, into: &writer) { $0.oneofInt64(3, "intValue", $1) }
        case .doubleArray(let values): array(values, into: &writer) { $0.double(4, "doubleValue", $1) }
        case .stringConvertibleArray(let values): array(values, into: &writer) { $0.oneofString(1, "stringValue", $1.description) }
        case .stringConvertible(let value): writer.oneofString(1, "stringValue", value.description)
        default: writer.oneofString(1, "stringValue", "\(attribute)")
        }
    }

    static func write<Writer: OTLPWriter>(_ value: Logger.MetadataValue, into writer: inout Writer) {
        switch value {
        case .string(let string): writer.oneofString(1, "stringValue", string)
        case .stringConvertible(let convertible): writer.oneofString(1, "stringValue", convertible.description)
        case .array(let values): array(values, into: &writer) { write($1, into: &$0) }
        case .dictionary(let dictionary):
            writer.message(6, "kvlistValue") { list in
                list.repeated(1, "values", dictionary.sorted { $0.key < $1.key }) { entry, element in
                    keyValue(element.key, into: &entry) { write(element.value, into: &$0) }
                }
            }
        }
    }

    /// `ArrayValue { repeated AnyValue values = 1; }`
    private static func array<Writer: OTLPWriter, Element>(_ values: [Element], into writer: inout Writer, _ element: (inout Writer, Element) -> Void) {
        writer.message(5, "arrayValue") { array in
            array.repeated(1, "values", values) { element(&$0, $1) }
        }
    }
}
