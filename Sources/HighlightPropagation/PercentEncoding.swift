/// W3C Baggage's percent-encoding of values.
enum PercentEncoding {
    /// Encodes every byte that is not a `baggage-octet`, and `%` itself.
    static func encode(_ value: String) -> String {
        let utf8 = value.utf8
        if utf8.allSatisfy(isWrittenAsIs) { return value }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count + 8)
        for byte in utf8 {
            if isWrittenAsIs(byte) {
                output.append(byte)
            } else {
                output.append(.percent)
                output.append(hexDigit(byte >> 4))
                output.append(hexDigit(byte & 0x0F))
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The length of ``encode(_:)``'s result in bytes.
    static func encodedLength(_ value: String) -> Int {
        value.utf8.reduce(0) { $0 + (isWrittenAsIs($1) ? 1 : 3) }
    }

    /// Whether `%` followed by these two bytes is how ``encode(_:)`` writes a byte: an ASCII byte that is not written
    /// as it is, in uppercase digits. (A value whose escapes are all like this decodes and encodes back to itself.)
    static func isCanonicalEscape(_ high: UInt8, _ low: UInt8) -> Bool {
        guard let highValue = high.hexValue, let lowValue = low.hexValue else { return false }
        let byte = highValue << 4 | lowValue
        return byte < 0x80 && !isWrittenAsIs(byte) && hexDigit(highValue) == high && hexDigit(lowValue) == low
    }

    /// A `baggage-octet` other than `%` stays as it is; every other byte becomes `%XX`.
    private static func isWrittenAsIs(_ byte: UInt8) -> Bool {
        byte.isBaggageOctet && byte != .percent
    }

    /// Decodes `%XX` sequences (either case); a `%` not followed by two hex digits stays as it is. Byte sequences
    /// that are not UTF-8 become U+FFFD, as W3C Baggage asks.
    static func decode(_ bytes: some Collection<UInt8>) -> String {
        guard bytes.contains(.percent) else { return String(decoding: bytes, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            let first = bytes.index(after: index)
            if byte == .percent, first != bytes.endIndex {
                let second = bytes.index(after: first)
                if second != bytes.endIndex, let high = bytes[first].hexValue, let low = bytes[second].hexValue {
                    output.append(high << 4 | low)
                    index = bytes.index(after: second)
                    continue
                }
            }
            output.append(byte)
            index = first
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x41 + nibble - 10
    }
}
