/// Decoding of the fixed-width lowercase hex ids of `traceparent`, eight digits at a time in one 64-bit word (SWAR):
/// one load, a few additions and masks, and one validity test per eight digits.
///
/// Digit by digit (branch-free, but one load, two subtractions, two selects and a store per digit), decoding a
/// `traceparent`'s 48 id digits was a tenth of the byte path's inject-and-extract round trip (the
/// `InjectExtract.FullContext.MessageBytes` micro-benchmark's profile: `decodeHex` 9.6% of its samples).
enum LowercaseHex {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The value of the 16 digits at `offset` (text order: the first digit is the most significant), or `nil` when
    /// any of them is not `0-9` or `a-f`. The caller makes sure that 16 bytes are there.
    @inline(__always)
    static func decode16(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64? {
        let base = UnsafeRawPointer(bytes.baseAddress!) + offset
        let first = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        let second = UInt64(littleEndian: (base + 8).loadUnaligned(as: UInt64.self))
        guard isLowercaseHex(first), isLowercaseHex(second) else { return nil }
        return UInt64(value(of: first)) << 32 | UInt64(value(of: second))
    }

    /// Whether each of the eight bytes of `word` is `0-9` or `a-f`.
    ///
    /// For a byte below 0x80, adding `0x80 - low` sets its top bit exactly when it is at least `low`, and adding
    /// `0x7F - high` leaves it clear exactly when it is at most `high`; neither sum carries into the next byte. A byte
    /// of 0x80 or more fails the first test of the mask (`~word`), whatever its sums carried.
    @inline(__always)
    static func isLowercaseHex(_ word: UInt64) -> Bool {
        let atLeastZero = word &+ ones &* (0x80 - 0x30)
        let atMostNine = ~(word &+ ones &* (0x7F - 0x39))
        let atLeastA = word &+ ones &* (0x80 - 0x61)
        let atMostF = ~(word &+ ones &* (0x7F - 0x66))
        let valid = ~word & (atLeastZero & atMostNine | atLeastA & atMostF) & highBits
        return valid == highBits
    }

    /// The value of eight valid digits, the first (the lowest byte of `word`) the most significant.
    @inline(__always)
    static func value(of word: UInt64) -> UInt32 {
        // Each byte's digit value: its low nibble, plus 9 for a letter (`a` is 0x61, bit 0x40 set; digits have it
        // clear).
        let nibbles = (word & (ones &* 0x0F)) &+ ((word & (ones &* 0x40)) >> 6) &* 9
        // Pairs of digits into bytes: byte 2k becomes digit 2k << 4 | digit 2k+1.
        var pairs = (nibbles << 4 | nibbles >> 8) & 0x00FF_00FF_00FF_00FF
        pairs = (pairs | pairs >> 8) & 0x0000_FFFF_0000_FFFF
        pairs = (pairs | pairs >> 16) & 0x0000_0000_FFFF_FFFF
        // The lowest byte holds the first two digits: the most significant byte of the value.
        return UInt32(truncatingIfNeeded: pairs).byteSwapped
    }
}
