/// Writes OTLP messages in the protobuf wire format, into one growing buffer: a nested message's length is written
/// in place once its content is known (one byte reserved, widened only for messages of 128 bytes or more).
struct OTLPProtobufWriter: OTLPEncoding {
    private enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    static let contentType = "application/x-protobuf"
    private let body: OTLPWriteBuffer

    init(capacity: Int) {
        body = OTLPWriteBuffer(capacity: capacity)
    }

    mutating func finish() -> [UInt8] { body.bytes }

    private mutating func tag(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | type.rawValue)
    }

    private mutating func varint(_ value: UInt64) {
        body.appendVarint(value)
    }

    private mutating func lengthDelimited<Bytes: Collection<UInt8>>(_ field: Int, _ value: Bytes) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        body.append(contentsOf: value)
    }

    private mutating func lengthDelimited(_ field: Int, _ value: UnsafeBufferPointer<UInt8>) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        body.append(UnsafeRawBufferPointer(value))
    }

    private mutating func littleEndian<Integer: FixedWidthInteger>(_ value: Integer) {
        withUnsafeBytes(of: value.littleEndian) { body.append($0) }
    }

    mutating func string(_ field: Int, _ name: StaticString, _ value: String) {
        guard !value.isEmpty else { return }
        utf8(field, value)
    }

    /// `value`'s UTF-8 as a length-delimited field, read where it is: `withUTF8` needs a `var`, and the copy made
    /// for it retained and released the string's storage (about 25 times a span: every key and string value). Only
    /// a string without contiguous UTF-8 (one bridged from elsewhere) is copied.
    private mutating func utf8<Text: StringProtocol>(_ field: Int, _ value: Text) {
        let written: Void? = value.utf8.withContiguousStorageIfAvailable { lengthDelimited(field, $0) }
        if written == nil {
            var copy = String(value)
            copy.withUTF8 { lengthDelimited(field, $0) }
        }
    }

    mutating func id<Bytes: Collection<UInt8>>(_ field: Int, _ name: StaticString, _ value: Bytes) {
        bytes(field, name, value)
    }

    mutating func bytes<Bytes: Collection<UInt8>>(_ field: Int, _ name: StaticString, _ value: Bytes) {
        guard !value.isEmpty else { return }
        lengthDelimited(field, value)
    }

    mutating func fixed64(_ field: Int, _ name: StaticString, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, .fixed64)
        littleEndian(value)
    }

    mutating func fixed32(_ field: Int, _ name: StaticString, _ value: UInt32) {
        guard value != 0 else { return }
        tag(field, .fixed32)
        littleEndian(value)
    }

    mutating func int64(_ field: Int, _ name: StaticString, _ value: Int64) {
        guard value != 0 else { return }
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func oneofInt64(_ field: Int, _ name: StaticString, _ value: Int64) {
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func oneofString(_ field: Int, _ name: StaticString, _ value: String) {
        utf8(field, value)
    }

    mutating func oneofString(_ field: Int, _ name: StaticString, _ value: Substring) {
        utf8(field, value)
    }

    mutating func oneofString(_ field: Int, _ name: StaticString, utf8 value: [UInt8]) {
        lengthDelimited(field, value)
    }

    mutating func uint32(_ field: Int, _ name: StaticString, _ value: UInt32) {
        guard value != 0 else { return }
        tag(field, .varint)
        varint(UInt64(value))
    }

    mutating func enumeration(_ field: Int, _ name: StaticString, _ value: Int) {
        int64(field, name, Int64(value))
    }

    mutating func bool(_ field: Int, _ name: StaticString, _ value: Bool) {
        // Inside a oneof (AnyValue) `false` is a value and must be written.
        tag(field, .varint)
        body.append(value ? 1 : 0)
    }

    mutating func double(_ field: Int, _ name: StaticString, _ value: Double) {
        // Inside a oneof (AnyValue) 0.0 is a value and must be written.
        tag(field, .fixed64)
        littleEndian(value.bitPattern)
    }

    mutating func message(_ field: Int, _ name: StaticString, lengthBytes: Int, _ content: (inout Self) -> Void) {
        tag(field, .lengthDelimited)
        let lengthIndex = body.reserveLength(lengthBytes)
        content(&self)
        body.patchLength(at: lengthIndex, reserved: lengthBytes)
    }

    mutating func repeated<Elements: Sequence>(_ field: Int, _ name: StaticString, _ elements: Elements, _ content: (inout Self, Elements.Element) -> Void) {
        for element in elements {
            message(field, name) { content(&$0, element) }
        }
    }

    mutating func repeated(
        _ field: Int, _ name: StaticString, lengthBytes: Int, producedBy produce: (_ element: (_ content: (inout Self) -> Void) -> Void) -> Void
    ) {
        produce { content in message(field, name, lengthBytes: lengthBytes, content) }
    }

    mutating func repeated(
        _ field: Int,
        _ name: StaticString,
        sharing keys: SharedEncodings.Keys,
        in encodings: inout SharedEncodings,
        shared: (_ run: Int, _ element: (_ content: (inout Self) -> Void) -> Void) -> Void,
        producedBy produce: (_ element: (_ content: (inout Self) -> Void) -> Void) -> Void
    ) {
        // A repeated field's elements need not be adjacent in protobuf; here the runs go first, in order, as they are
        // kept.
        // `shared` is called before this returns: it does not outlive the call.
        withoutActuallyEscaping(shared) { shared in
            func write(run: Int, key: ObjectIdentifier?) {
                guard let key, encodings.withBytes(for: key, { body.append($0) }) == nil else { return }
                let start = body.count
                repeated(field, name, lengthBytes: 1) { element in shared(run, element) }
                if encodings.hasRoom(forRun: run) { body.withBytes(from: start) { encodings.keep($0, for: key, run: run) } }
            }
            write(run: 0, key: keys.first)
            write(run: 1, key: keys.second)
        }
        repeated(field, name, lengthBytes: 1, producedBy: produce)
    }
}
