/// A carrier that stores header values as bytes (Kafka message headers), written through
/// ``HighlightPropagator``'s byte path: the same headers and rules as ``HighlightPropagator/inject(_:into:using:)``,
/// without a `String` made per value only to be copied into bytes.
package protocol PropagationByteSink {
    /// Replaces every header named `name` (ignoring ASCII case) with one holding `bytes` (UTF-8), under the lowercase
    /// `name`. `bytes` is valid only during the call.
    mutating func set(_ name: String, bytes: UnsafeRawBufferPointer)
}

/// One value the propagator sends: text it already holds, or a local span's `traceparent`, formatted only for the
/// carrier that takes it (as a `String`, or into a buffer on the stack).
enum OutgoingValue {
    case text(String)
    case traceParent(SpanIdentity)

    var text: String {
        switch self {
        case .text(let text): text
        case .traceParent(let identity): identity.encodedTraceParent
        }
    }

    func withUTF8<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        switch self {
        case .text(var text):
            return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .traceParent(let identity):
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: SpanIdentity.traceParentLength) { buffer in
                identity.writeTraceParent(into: buffer)
                return body(UnsafeRawBufferPointer(buffer))
            }
        }
    }
}
