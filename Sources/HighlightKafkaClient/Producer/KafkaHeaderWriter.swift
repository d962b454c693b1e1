/// Headers a layer above the producer writes straight into a message's header list as the message is queued, from
/// bytes it already holds: no `KafkaHeader` or `[UInt8]` is made for them (see
/// ``KafkaProducer/sendAndForget(_:headers:observer:)``).
///
/// A header it writes replaces every header of the record with the same name, compared ignoring ASCII case; the
/// record's other headers are kept, after the written ones.
package protocol KafkaHeaderWriter: Sendable {
    /// Appends its headers to `list`. Called once for every attempt to queue the message (again after waiting for
    /// room), so it must write the same headers each time.
    ///
    /// - Parameter list: the message's header list.
    func writeHeaders(into list: inout KafkaHeaderList)

    /// `true` for a writer that never writes anything: the record's headers are then copied as they are, with no
    /// header list allocated for a record that has none.
    static var writesNothing: Bool { get }
}

extension KafkaHeaderWriter {
    package static var writesNothing: Bool { false }
}

/// The writer of the plain producer's sends: nothing.
struct NoHeaderWriter: KafkaHeaderWriter {
    func writeHeaders(into list: inout KafkaHeaderList) {}
    static var writesNothing: Bool { true }
}
