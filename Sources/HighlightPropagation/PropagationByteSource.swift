/// A carrier that stores header values as bytes (Kafka message headers), read through ``HighlightPropagator``'s byte
/// path: the same headers and rules as ``HighlightPropagator/extract(_:into:using:)``, found in one pass over the
/// names, with no `String` made for a value nobody keeps (`traceparent` is parsed from the bytes) and no array per
/// header name.
package protocol PropagationByteSource {
    /// How many headers the carrier holds, in order.
    var headerCount: Int { get }
    /// The name of the header at `index`, when that header has a value (a header without one is never read, as
    /// ``HeaderValuesExtractor`` carriers skip it); `nil` otherwise.
    func nameOfValuedHeader(at index: Int) -> String?
    /// Calls `body` with the value of the header at `index`, one that ``nameOfValuedHeader(at:)`` named. The bytes
    /// are valid only during the call.
    func withValue<Result>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result
}
