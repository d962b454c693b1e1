/// Who sends: the resource attributes (`service.name`, `highlight.project_id`, ...) and the instrumentation scope,
/// written once at the head of every request.
struct OTLPResource: Sendable {
    var attributes: [(key: String, value: String)]
    var scopeName: String
    var scopeVersion: String

    /// `Resource { repeated KeyValue attributes = 1; }`
    func writeResource<Writer: OTLPWriter>(into writer: inout Writer) {
        writer.message(1, "resource") { resource in
            resource.repeated(1, "attributes", attributes) { keyValue, attribute in
                keyValue.string(1, "key", attribute.key)
                keyValue.message(2, "value") { $0.oneofString(1, "stringValue", attribute.value) }
            }
        }
    }

    /// `InstrumentationScope { string name = 1; string version = 2; }`, as field 1 of a scope's spans or logs.
    func writeScope<Writer: OTLPWriter>(into writer: inout Writer) {
        writer.message(1, "scope") { scope in
            scope.string(1, "name", scopeName)
            scope.string(2, "version", scopeVersion)
        }
    }
}
