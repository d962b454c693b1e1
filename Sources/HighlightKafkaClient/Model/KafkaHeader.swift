/// One Kafka message header: a name and bytes (or no value at all). A message may hold several headers of the same
/// name; their order is kept.
///
/// ```swift
/// let header = KafkaHeader(name: "x-highlight-request", string: "abc/req1")
/// header.stringValue  // "abc/req1"
/// ```
///
/// The headers of a consumed message keep their values in one buffer together, one allocation per message instead of
/// one per header: ``stringValue`` reads from it directly, and ``value`` makes an array of the header's bytes on each
/// read (keep what it returns rather than reading it again).
public struct KafkaHeader: Sendable {
    /// The header's name, exactly as written (Kafka compares header names as bytes).
    public var name: String
    /// The value's bytes; `nil` for a header written without a value.
    public var value: [UInt8]? {
        get {
            switch storage {
            case .own(let bytes): bytes
            case .shared(let bytes, let range): Array(bytes[range])
            }
        }
        set { storage = .own(newValue) }
    }

    /// Where the value's bytes are.
    @usableFromInline
    enum Storage: Sendable {
        /// An array of its own; `nil` for no value.
        case own([UInt8]?)
        /// A range of a buffer that the other headers of the same message share.
        case shared([UInt8], Range<Int>)
    }

    // Visible to inlined code only: ``withValueBytes(_:)`` and ``hasValue`` are inlined into the traced consumer's
    // header reading instead of called across the module boundary (`withValueBytes` unspecialised), for every header
    // of every message.
    @usableFromInline
    var storage: Storage

    /// Creates a header with byte value.
    ///
    /// - Parameters:
    ///   - name: the header name.
    ///   - value: the value's bytes, or `nil` for a header without value.
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.storage = .own(value)
    }

    /// Creates a header whose value is the UTF-8 of `string`.
    ///
    /// - Parameters:
    ///   - name: the header name.
    ///   - string: the value, written as UTF-8.
    public init(name: String, string: String) {
        self.init(name: name, value: Array(string.utf8))
    }

    /// A header whose value is `range` of `bytes`, a buffer shared with the message's other headers.
    package init(name: String, bytes: [UInt8], range: Range<Int>) {
        self.name = name
        self.storage = .shared(bytes, range)
    }

    /// Whether the header has a value (an empty one included).
    @inlinable
    public var hasValue: Bool {
        if case .own(nil) = storage { false } else { true }
    }

    /// The value decoded as UTF-8 (invalid bytes become U+FFFD); `nil` when there is no value.
    public var stringValue: String? { withValueBytes { $0.map { String(decoding: $0, as: UTF8.self) } } }

    /// Calls `body` with the value's bytes in place (`nil` for no value), without making an array of them.
    ///
    /// - Parameter body: reads the bytes; they are valid only during the call.
    /// - Returns: what `body` returned.
    @inlinable
    public func withValueBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>?) throws -> Result) rethrows -> Result {
        switch storage {
        case .own(nil): return try body(nil)
        case .own(let bytes?): return try bytes.withUnsafeBufferPointer(body)
        case .shared(let bytes, let range): return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
        }
    }
}

extension KafkaHeader: Hashable {
    /// Equal names and equal values (the same bytes, or both without value), however each value is kept.
    ///
    /// - Parameters:
    ///   - lhs: a header.
    ///   - rhs: another header.
    /// - Returns: whether their names and values are equal.
    public static func == (lhs: KafkaHeader, rhs: KafkaHeader) -> Bool {
        guard lhs.name == rhs.name else { return false }
        return lhs.withValueBytes { left in
            rhs.withValueBytes { right in
                switch (left, right) {
                case (nil, nil): true
                case (let left?, let right?): left.elementsEqual(right)
                default: false
                }
            }
        }
    }

    /// Hashes the name and the value's bytes.
    ///
    /// - Parameter hasher: the hasher to feed.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        withValueBytes { bytes in
            hasher.combine(bytes != nil)
            if let bytes {
                hasher.combine(bytes.count)
                hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
            }
        }
    }
}
