/// One OTLP message tree written in one wire format. The OTLP documents (``OTLPTraceDocument``,
/// ``OTLPLogDocument``) are written once against this protocol, and ``OTLPProtobufWriter`` and ``OTLPJSONWriter`` turn
/// them into `application/x-protobuf` or `application/json` bodies: each field names both its protobuf number and its
/// JSON name, so the two encodings cannot drift apart.
///
/// Fields holding their default value (empty, zero) are left out, as proto3 does.
protocol OTLPWriter {
    mutating func string(_ field: Int, _ name: StaticString, _ value: String)
    /// A trace or span id: bytes in protobuf, lowercase hex in JSON.
    mutating func id<Bytes: Collection<UInt8>>(_ field: Int, _ name: StaticString, _ value: Bytes)
    /// Bytes: bytes in protobuf, base64 in JSON.
    mutating func bytes<Bytes: Collection<UInt8>>(_ field: Int, _ name: StaticString, _ value: Bytes)
    mutating func fixed64(_ field: Int, _ name: StaticString, _ value: UInt64)
    mutating func fixed32(_ field: Int, _ name: StaticString, _ value: UInt32)
    mutating func int64(_ field: Int, _ name: StaticString, _ value: Int64)
    mutating func uint32(_ field: Int, _ name: StaticString, _ value: UInt32)
    mutating func enumeration(_ field: Int, _ name: StaticString, _ value: Int)
    mutating func bool(_ field: Int, _ name: StaticString, _ value: Bool)
    mutating func double(_ field: Int, _ name: StaticString, _ value: Double)
    /// A oneof member (an `AnyValue`'s `int_value`): written even when zero, since a set member is the value.
    mutating func oneofInt64(_ field: Int, _ name: StaticString, _ value: Int64)
    /// A oneof member (an `AnyValue`'s `string_value`): written even when empty, since a set member is the value.
    mutating func oneofString(_ field: Int, _ name: StaticString, _ value: String)
    /// The same, from a slice of a string.
    mutating func oneofString(_ field: Int, _ name: StaticString, _ value: Substring)
    /// The same, from bytes known to be valid UTF-8.
    mutating func oneofString(_ field: Int, _ name: StaticString, utf8 value: [UInt8])
    /// A nested message, written even when empty (an `AnyValue` holding an empty string is still a value). In protobuf
    /// `lengthBytes` is the width foreseen for its length (1: under 128 bytes; 2: under 16 KB; 3: under 2 MB): a
    /// message of another size is written as correctly, moved by the difference once its length is known.
    mutating func message(_ field: Int, _ name: StaticString, lengthBytes: Int, _ body: (inout Self) -> Void)
    /// A repeated message field; nothing is written for no elements.
    mutating func repeated<Elements: Sequence>(_ field: Int, _ name: StaticString, _ elements: Elements, _ body: (inout Self, Elements.Element) -> Void)
    /// A repeated message field whose elements `produce` writes in one pass: it calls the function it is given once
    /// per element, with that element's content. Nothing is written for no elements.
    /// `lengthBytes` foresees each element's size, as for ``message(_:_:lengthBytes:_:)``.
    mutating func repeated(
        _ field: Int, _ name: StaticString, lengthBytes: Int, producedBy produce: (_ element: (_ content: (inout Self) -> Void) -> Void) -> Void
    )
    /// A repeated message field (elements under 128 bytes each) whose first elements are two runs that `shared` writes
    /// (run 0, then run 1), each the same byte for byte wherever its key in `keys` is, followed by the elements
    /// `produce` writes; a run without a key is not written. Protobuf writes each run once per key into `encodings`
    /// and copies its bytes after; JSON writes them each time (its separators depend on what comes before).
    mutating func repeated(
        _ field: Int,
        _ name: StaticString,
        sharing keys: SharedEncodings.Keys,
        in encodings: inout SharedEncodings,
        shared: (_ run: Int, _ element: (_ content: (inout Self) -> Void) -> Void) -> Void,
        producedBy produce: (_ element: (_ content: (inout Self) -> Void) -> Void) -> Void
    )
}

/// A wire format: a writer that starts empty and hands its request body over at the end.
protocol OTLPEncoding: OTLPWriter {
    /// A writer whose buffer starts with room for `capacity` bytes (an estimate of the body: growing it copies).
    init(capacity: Int)
    static var contentType: String { get }
    /// The request body; the writer is not used after this.
    mutating func finish() -> [UInt8]
}

extension OTLPWriter {
    /// A nested message foreseen under 128 bytes (see ``message(_:_:lengthBytes:_:)``).
    mutating func message(_ field: Int, _ name: StaticString, _ body: (inout Self) -> Void) {
        message(field, name, lengthBytes: 1, body)
    }

    /// Elements foreseen under 128 bytes each (see ``repeated(_:_:lengthBytes:producedBy:)``).
    mutating func repeated(_ field: Int, _ name: StaticString, producedBy produce: (_ element: (_ content: (inout Self) -> Void) -> Void) -> Void) {
        repeated(field, name, lengthBytes: 1, producedBy: produce)
    }

    /// A repeated message field holding one element (a JSON array of one object; in protobuf, one message), its size
    /// foreseen as for ``message(_:_:lengthBytes:_:)``.
    mutating func one(_ field: Int, _ name: StaticString, lengthBytes: Int = 1, _ body: (inout Self) -> Void) {
        // The element function is called once, before `repeated` returns: `body` does not outlive this call.
        withoutActuallyEscaping(body) { body in
            repeated(field, name, lengthBytes: lengthBytes, producedBy: { element in element(body) })
        }
    }
}
