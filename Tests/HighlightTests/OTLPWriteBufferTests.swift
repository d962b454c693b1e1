@testable import Highlight
import Testing

/// The protobuf writer's buffer: nested lengths at the varint widths' edges, growth past its first capacity, and
/// values appended from every kind of source.
@Suite("OTLP write buffer")
struct OTLPWriteBufferTests {
    /// Reads a base-128 varint at `index`; the value and the index after it.
    func varint(_ bytes: [UInt8], at index: Int) -> (UInt64, Int) {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var index = index
        while true {
            let byte = bytes[index]
            value |= UInt64(byte & 0x7F) << shift
            index += 1
            if byte < 0x80 { return (value, index) }
            shift += 7
        }
    }

    /// Whatever width the writer foresaw for a length (`lengthBytes`), the length is written in its shortest form and
    /// the content follows it intact: a length narrower than foreseen moves the content left, a wider one right.
    @Test(arguments: [0, 1, 127, 128, 300, 16_383, 16_384, 70_000], [1, 2, 3])
    func aNestedMessageOfAnyLengthKeepsItsContentAfterItsLength(length: Int, lengthBytes: Int) {
        // A small first capacity: the longer messages make the buffer grow while the length is being widened.
        var writer = OTLPProtobufWriter(capacity: 8)
        let content = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        writer.message(3, "outer", lengthBytes: lengthBytes) { $0.bytes(1, "content", content) }
        writer.uint32(4, "after", 5)
        let bytes = writer.finish()

        #expect(bytes[0] == 3 << 3 | 2)
        let (outerLength, outerStart) = varint(bytes, at: 1)
        #expect(Int(outerLength) == bytes.count - outerStart - 2, "the outer length covers exactly its content")
        let shortest = outerLength < 1 << 7 ? 1 : outerLength < 1 << 14 ? 2 : outerLength < 1 << 21 ? 3 : 4
        #expect(outerStart - 1 == shortest, "the length in its shortest form, whatever was foreseen")
        if length == 0 {
            #expect(outerLength == 0)  // an empty bytes field is not written
        } else {
            #expect(bytes[outerStart] == 1 << 3 | 2)
            let (contentLength, contentStart) = varint(bytes, at: outerStart + 1)
            #expect(Int(contentLength) == length)
            #expect(Array(bytes[contentStart..<contentStart + length]) == content)
        }
        #expect(Array(bytes.suffix(2)) == [4 << 3, 5], "what follows the message is intact")
    }

    @Test func bytesFromContiguousAndNonContiguousSourcesAndVarintsAreAppendedAsGiven() {
        let buffer = OTLPWriteBuffer(capacity: 1)
        buffer.append(0xAB)
        buffer.append(contentsOf: [1, 2, 3] as [UInt8])
        buffer.append(contentsOf: (4...6).lazy.map { UInt8($0) })
        ([7, 8] as [UInt8]).withUnsafeBytes { buffer.append($0) }
        buffer.appendVarint(300)
        buffer.appendVarint(UInt64.max)
        #expect(buffer.bytes == [0xAB, 1, 2, 3, 4, 5, 6, 7, 8, 0xAC, 0x02] + Array(repeating: 0xFF, count: 9) + [0x01])
        #expect(buffer.count == 21)
    }
}
