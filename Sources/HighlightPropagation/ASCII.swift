// Byte constants and ASCII helpers shared by the parsers of this module.

extension UInt8 {
    static let tab: UInt8 = 0x09
    static let space: UInt8 = 0x20
    static let slash: UInt8 = 0x2F
    static let comma: UInt8 = 0x2C
    static let semicolon: UInt8 = 0x3B
    static let equals: UInt8 = 0x3D
    static let percent: UInt8 = 0x25
    static let hyphen: UInt8 = 0x2D

    /// The value of a hexadecimal digit in either case, or `nil`.
    var hexValue: UInt8? {
        switch self {
        case 0x30...0x39: self - 0x30
        case 0x41...0x46: self - 0x41 + 10
        case 0x61...0x66: self - 0x61 + 10
        default: nil
        }
    }

    /// An RFC 9110 `tchar`: the characters a baggage key (and an HTTP field name) may hold: `0-9 A-Z a-z` and
    /// ``!#$%&'*+-.^_`|~``.
    var isTokenCharacter: Bool { Self.inASCIISet(self, low: 0x03ff6cfa00000000, high: 0x57ffffffc7fffffe) }

    /// A W3C `baggage-octet`: what a baggage value may hold without percent-encoding (`!`, `#`-`+`, `-`-`:`, `<`-`[`,
    /// `]`-`~`).
    var isBaggageOctet: Bool { Self.inASCIISet(self, low: 0xf7ffeffa00000000, high: 0x7fffffffefffffff) }

    /// Whether `byte` is in the ASCII set whose bytes 0-63 are the bits of `low` and 64-127 those of `high`: one
    /// shift and mask per byte, where a chain of range checks costs a branch each (these run for every byte of
    /// every propagated header).
    @inline(__always)
    private static func inASCIISet(_ byte: UInt8, low: UInt64, high: UInt64) -> Bool {
        guard byte < 128 else { return false }
        let word = byte < 64 ? low : high
        return word >> UInt64(byte & 63) & 1 == 1
    }

    var isOptionalWhitespace: Bool { self == .space || self == .tab }

    var asciiLowercased: UInt8 { (0x41...0x5A).contains(self) ? self + 0x20 : self }
}

extension StringProtocol {
    /// Compares two strings byte for byte, ignoring ASCII case: how every carrier matches header names.
    package func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        var lhs = utf8.makeIterator()
        var rhs = other.utf8.makeIterator()
        while true {
            switch (lhs.next(), rhs.next()) {
            case (nil, nil): return true
            case (let left?, let right?) where left.asciiLowercased == right.asciiLowercased: continue
            default: return false
            }
        }
    }
}

extension String {
    /// The common case, kept free of generics: it runs for every header of every message (profiled: the generic
    /// version cost 8% of a traced send).
    package func equalsIgnoringASCIICase(_ other: String) -> Bool {
        if self == other { return true }
        guard utf8.count == other.utf8.count else { return false }
        var lhs = utf8.makeIterator()
        var rhs = other.utf8.makeIterator()
        while let left = lhs.next(), let right = rhs.next() {
            if left.asciiLowercased != right.asciiLowercased { return false }
        }
        return true
    }
}
