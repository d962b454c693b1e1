extension String {
    /// Whether the two are the same bytes but for ASCII letters' case: how header names are compared (a name that
    /// differs in a non-ASCII letter's case is another name). No string is made.
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        return utf8.elementsEqual(other.utf8) { lower($0) == lower($1) }
    }
}
