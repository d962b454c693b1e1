/// A carrier that stores header values as bytes (Kafka message headers), written through
/// ``HighlightPropagator``'s byte path: the same headers and rules as ``HighlightPropagator/inject(_:into:using:)``,
/// without a `String` made per value only to be copied into bytes.
package protocol PropagationByteSink {
    /// Replaces every header named `name` (ignoring ASCII case) with one holding `bytes` (UTF-8), under the lowercase
    /// `name`. `bytes` is valid only during the call.
    mutating func set(_ name: String, bytes: UnsafeRawBufferPointer)

    /// The same with bytes the sink may keep as they are (they are never changed): a carrier that stores arrays
    /// shares them instead of copying. By default, ``set(_:bytes:)``.
    mutating func set(_ name: String, sharedBytes: [UInt8])
}

extension PropagationByteSink {
    package mutating func set(_ name: String, sharedBytes: [UInt8]) {
        sharedBytes.withUnsafeBytes { set(name, bytes: $0) }
    }
}

/// One value the propagator sends: text it already holds, or a local span's `traceparent`, formatted only for the
/// carrier that takes it (as a `String`, or into a buffer on the stack).
enum OutgoingValue {
    case text(String)
    /// A value worked out once for its context (see ``OutgoingHeaders``).
    case shared(OutgoingHeaders.Value)
    case traceParent(SpanIdentity)

    var text: String {
        switch self {
        case .text(let text): text
        case .shared(let value): value.text
        case .traceParent(let identity): identity.encodedTraceParent
        }
    }

    func withUTF8<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        switch self {
        case .text(var text):
            return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .shared(let value):
            if let bytes = value.bytes { return bytes.withUnsafeBytes(body) }
            var text = value.text
            return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .traceParent(let identity):
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: SpanIdentity.traceParentLength) { buffer in
                identity.writeTraceParent(into: buffer)
                return body(UnsafeRawBufferPointer(buffer))
            }
        }
    }
}
