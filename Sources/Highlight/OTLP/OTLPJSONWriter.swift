/// Writes OTLP messages as OTLP/JSON: lowerCamelCase names, trace and span ids in lowercase hex, 64-bit integers as
/// decimal strings, enums as numbers, bytes in base64.
struct OTLPJSONWriter: OTLPEncoding {
    static let contentType = "application/json"
    private var body: [UInt8] = [UInt8(ascii: "{")]
    /// Whether the object being written has no field yet (no comma before the next one).
    private var first = true

    init(capacity: Int) {
        body.reserveCapacity(capacity)
    }

    mutating func finish() -> [UInt8] {
        body.append(UInt8(ascii: "}"))
        return body
    }

    private mutating func key(_ name: StaticString) {
        if !first { body.append(UInt8(ascii: ",")) }
        first = false
        body.append(UInt8(ascii: "\""))
        body.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        body.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    private mutating func quoted(_ text: some StringProtocol) {
        body.append(UInt8(ascii: "\""))
        body.append(contentsOf: text.utf8)
        body.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let base64Digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    mutating func string(_ field: Int, _ name: StaticString, _ value: String) {
        guard !value.isEmpty else { return }
        key(name)
        body.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): body.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): body.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: body.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: body.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: body.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                body.append(contentsOf: Array("\\u00".utf8))
                body.append(Self.hexDigits[Int(byte >> 4)])
                body.append(Self.hexDigits[Int(byte & 0xF)])
            default: body.append(byte)
            }
        }
        body.append(UInt8(ascii: "\""))
    }

    mutating func id<Bytes: Collection<UInt8>>(_ field: Int, _ name: StaticString, _ value: Bytes) {
        guard !value.isEmpty else { return }
        key(name)
        body.append(UInt8(ascii: "\""))
        for byte in value {
            body.append(Self.hexDigits[Int(byte >> 4)])
            body.append(Self.hexDigits[Int(byte & 0xF)])
        }
        body.append(UInt8(ascii: "\""))
    }

    mutating func bytes<Bytes: Collection<UInt8>>(_ field: Int, _ name: StaticString, _ value: Bytes) {
        guard !value.isEmpty else { return }
        key(name)
        body.append(UInt8(ascii: "\""))
        let input = Array(value)
        var index = 0
        while index < input.count {
            let chunk = input[index..<min(index + 3, input.count)]
            var group: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { group |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0..<4 {
                if position <= chunk.count {
                    body.append(Self.base64Digits[Int((group >> (18 - 6 * position)) & 0x3F)])
                } else {
                    body.append(UInt8(ascii: "="))
                }
            }
            index += 3
        }
        body.append(UInt8(ascii: "\""))
    }

    mutating func fixed64(_ field: Int, _ name: StaticString, _ value: UInt64) {
        guard value != 0 else { return }
        key(name)
        quoted(String(value))
    }

    mutating func fixed32(_ field: Int, _ name: StaticString, _ value: UInt32) {
        uint32(field, name, value)
    }

    mutating func int64(_ field: Int, _ name: StaticString, _ value: Int64) {
        guard value != 0 else { return }
        key(name)
        quoted(String(value))
    }

    mutating func oneofInt64(_ field: Int, _ name: StaticString, _ value: Int64) {
        key(name)
        quoted(String(value))
    }

    mutating func oneofString(_ field: Int, _ name: StaticString, _ value: String) {
        guard value.isEmpty else { return string(field, name, value) }
        key(name)
        body.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "\"")])
    }

    mutating func oneofString(_ field: Int, _ name: StaticString, _ value: Substring) {
        oneofString(field, name, String(value))
    }

    mutating func oneofString(_ field: Int, _ name: StaticString, utf8 value: [UInt8]) {
        oneofString(field, name, String(decoding: value, as: UTF8.self))
    }

    mutating func uint32(_ field: Int, _ name: StaticString, _ value: UInt32) {
        guard value != 0 else { return }
        key(name)
        body.append(contentsOf: String(value).utf8)
    }

    mutating func enumeration(_ field: Int, _ name: StaticString, _ value: Int) {
        guard value != 0 else { return }
        key(name)
        body.append(contentsOf: String(value).utf8)
    }

    mutating func bool(_ field: Int, _ name: StaticString, _ value: Bool) {
        key(name)
        body.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func double(_ field: Int, _ name: StaticString, _ value: Double) {
        key(name)
        if value.isNaN {
            quoted("NaN")
        } else if value.isInfinite {
            quoted(value > 0 ? "Infinity" : "-Infinity")
        } else {
            body.append(contentsOf: "\(value)".utf8)
        }
    }

    mutating func message(_ field: Int, _ name: StaticString, lengthBytes: Int, _ content: (inout Self) -> Void) {
        key(name)
        object(content)
    }

    private mutating func object(_ content: (inout Self) -> Void) {
        body.append(UInt8(ascii: "{"))
        first = true
        content(&self)
        body.append(UInt8(ascii: "}"))
        first = false
    }

    mutating func repeated<Elements: Sequence>(_ field: Int, _ name: StaticString, _ elements: Elements, _ content: (inout Self, Elements.Element) -> Void) {
        var iterator = elements.makeIterator()
        guard let head = iterator.next() else { return }
        key(name)
        body.append(UInt8(ascii: "["))
        object { content(&$0, head) }
        while let element = iterator.next() {
            body.append(UInt8(ascii: ","))
            object { content(&$0, element) }
        }
        body.append(UInt8(ascii: "]"))
    }

    mutating func repeated(
        _ field: Int, _ name: StaticString, lengthBytes: Int, producedBy produce: (_ element: (_ content: (inout Self) -> Void) -> Void) -> Void
    ) {
        var written = false
        produce { content in
            if written {
                body.append(UInt8(ascii: ","))
            } else {
                key(name)
                body.append(UInt8(ascii: "["))
                written = true
            }
            object(content)
        }
        if written { body.append(UInt8(ascii: "]")) }
    }

    mutating func repeated(
        _ field: Int,
        _ name: StaticString,
        sharing keys: SharedEncodings.Keys,
        in encodings: inout SharedEncodings,
        shared: (_ run: Int, _ element: (_ content: (inout Self) -> Void) -> Void) -> Void,
        producedBy produce: (_ element: (_ content: (inout Self) -> Void) -> Void) -> Void
    ) {
        // Both are called before `repeated` returns: neither outlives this call.
        withoutActuallyEscaping(shared) { shared in
            withoutActuallyEscaping(produce) { produce in
                repeated(field, name, lengthBytes: 1) { element in
                    if keys.first != nil { shared(0, element) }
                    if keys.second != nil { shared(1, element) }
                    produce(element)
                }
            }
        }
    }
}
