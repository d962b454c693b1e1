@testable import HighlightPropagation
import Testing

/// The eight-digits-at-a-time hex decoding of `traceparent` ids must accept exactly what a digit-by-digit reading
/// accepts (`0-9`, `a-f`) and give the same value.
@Suite("Lowercase hex, eight digits a word")
struct LowercaseHexTests {
    /// The digit-by-digit reading: the value, or `nil` for any other byte.
    static func reference(_ digits: [UInt8]) -> UInt64? {
        var value: UInt64 = 0
        for byte in digits {
            switch byte {
            case 0x30...0x39: value = value << 4 | UInt64(byte - 0x30)
            case 0x61...0x66: value = value << 4 | UInt64(byte - 0x61 + 10)
            default: return nil
            }
        }
        return value
    }

    static func decode(_ digits: [UInt8]) -> UInt64? {
        digits.withUnsafeBufferPointer { LowercaseHex.decode16($0, at: 0) }
    }

    @Test func everyByteInEveryPositionIsAcceptedExactlyWhenItIsALowercaseHexDigit() {
        let valid = Array("0123456789abcdef".utf8)
        var checked = 0
        for position in 0..<16 {
            for byte in UInt8.min...UInt8.max {
                var digits = (0..<16).map { valid[($0 * 7 + position) % 16] }
                digits[position] = byte
                #expect(Self.decode(digits) == Self.reference(digits), "byte \(byte) at \(position)")
                checked += 1
            }
        }
        #expect(checked == 16 * 256)
    }

    @Test func randomWordsOfEdgeBytesDecodeAsDigitByDigit() {
        // Bytes next to the accepted ranges, uppercase digits, DEL and bytes with the top bit set (whose sums carry).
        let alphabet: [UInt8] = Array("0123456789abcdef".utf8) + [0x2F, 0x3A, 0x40, 0x41, 0x46, 0x47, 0x60, 0x67, 0x7F, 0x80, 0xB0, 0xB9, 0xE1, 0xE6, 0xFF, 0x00]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var accepted = 0
        for _ in 0..<20_000 {
            let digits: [UInt8] = (0..<16).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                // Mostly valid digits, so that both outcomes are common.
                let pick = Int(state >> 33)
                return pick % 8 == 0 ? alphabet[pick / 8 % alphabet.count] : alphabet[pick / 8 % 16]
            }
            let expected = Self.reference(digits)
            #expect(Self.decode(digits) == expected)
            if expected != nil { accepted += 1 }
        }
        #expect(accepted > 1_000 && accepted < 19_000)
    }

    @Test func theFirstDigitIsTheMostSignificant() {
        #expect(Self.decode(Array("0123456789abcdef".utf8)) == 0x0123_4567_89AB_CDEF)
        #expect(Self.decode(Array("ffffffffffffffff".utf8)) == UInt64.max)
        #expect(Self.decode(Array("00f067aa0ba902b7".utf8)) == 0x00F0_67AA_0BA9_02B7)
    }
}
