/// The header list of a message being queued, as a ``KafkaHeaderWriter`` appends to it: each header is copied once,
/// from the writer's bytes into librdkafka's list.
package struct KafkaHeaderList {
    let handle: OpaquePointer
    /// The names appended, noted only when the record has headers of its own to compare them with.
    private(set) var names: [String] = []
    private let notesNames: Bool

    init(handle: OpaquePointer, notesNames: Bool) {
        self.handle = handle
        self.notesNames = notesNames
    }

    /// Appends a header; `value` is copied.
    ///
    /// - Parameters:
    ///   - name: the header's name.
    ///   - value: its bytes (an empty value stays distinct from no value).
    package mutating func append(_ name: String, value: UnsafeRawBufferPointer) {
        if notesNames { names.append(name) }
        RDKafkaHeaders.add(name, value: value, to: handle)
    }
}
