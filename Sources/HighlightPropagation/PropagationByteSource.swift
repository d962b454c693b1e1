/// A carrier that stores header values as bytes (Kafka message headers), read through ``HighlightPropagator``'s byte
/// path: the same headers and rules as ``HighlightPropagator/extract(_:into:using:)``, found in one pass over the
/// names, with no `String` made for a value nobody keeps (`traceparent` is parsed from the bytes) and no array per
/// header name.
@usableFromInline
package protocol PropagationByteSource {
    /// How many headers the carrier holds, in order.
    var headerCount: Int { get }
    /// The name of the header at `index`, when that header has a value (a header without one is never read, as
    /// ``HeaderValuesExtractor`` carriers skip it); `nil` otherwise.
    func nameOfValuedHeader(at index: Int) -> String?
    /// Calls `body` with the value of the header at `index`, one that ``nameOfValuedHeader(at:)`` named. The bytes
    /// are valid only during the call.
    ///
    /// Not generic, and nothing generic is built on it: the byte path runs as generic code outside the carrier's
    /// module, unspecialised, and a generic `Result` here (or in a helper over it) was handled through its metadata
    /// at every read, with the carrier's own implementation unspecialised too (a Kafka header copied per read).
    /// Callers store what they make of the bytes in a local.
    func withValue(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void)
}
