/// The memory an ``OTLPProtobufWriter`` writes a request body into: raw bytes that grow by doubling, with one
/// capacity check per value written. Appending to an `Array` byte by byte checked uniqueness and capacity at every
/// byte (about 7% of the exporter's samples in `hlkafka bench-export`).
///
/// Owned by one writer, which never shares it (the writer is passed `inout` down its nested messages); not `Sendable`.
final class OTLPWriteBuffer {
    private var start: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written so far.
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        start = .allocate(capacity: self.capacity)
    }

    deinit {
        start.deallocate()
    }

    /// A copy of what was written.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: start, count: count)) }

    /// Runs `body` with what was written from `start` on.
    func withBytes<Result>(from start: Int, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        body(UnsafeRawBufferPointer(start: self.start + start, count: count - start))
    }

    func append(_ byte: UInt8) {
        reserve(1)
        start[count] = byte
        count += 1
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        UnsafeMutableRawPointer(start + count).copyMemory(from: base, byteCount: bytes.count)
        count += bytes.count
    }

    func append<Bytes: Collection<UInt8>>(contentsOf bytes: Bytes) {
        let copied: Void? = bytes.withContiguousStorageIfAvailable { append(UnsafeRawBufferPointer($0)) }
        guard copied == nil else { return }
        reserve(bytes.count)
        for byte in bytes {
            start[count] = byte
            count += 1
        }
    }

    /// Appends `value` as a base-128 varint (at most 10 bytes).
    func appendVarint(_ value: UInt64) {
        reserve(10)
        count += writeVarint(value, at: count)
    }

    /// Writes `value` as a varint at `position` (the room is the caller's to make); the bytes written.
    private func writeVarint(_ value: UInt64, at position: Int) -> Int {
        var value = value
        var position = position
        let first = position
        while value >= 0x80 {
            start[position] = UInt8(truncatingIfNeeded: value) | 0x80
            position += 1
            value >>= 7
        }
        start[position] = UInt8(value)
        return position + 1 - first
    }

    /// Makes room for a length of `width` bytes, to be written by ``patchLength(at:reserved:)``; returns its index.
    func reserveLength(_ width: Int) -> Int {
        reserve(width)
        let index = count
        count += width
        return index
    }

    /// Writes the length of what follows the `reserved` bytes at `index` into them, as its shortest varint. A length of
    /// another width moves what follows (left when shorter, right when longer): a message whose size the caller
    /// foresaw is not moved at all, where a one-byte guess moved every message of 128 bytes or more, the batch's whole
    /// body included, once per level of nesting.
    func patchLength(at index: Int, reserved: Int) {
        let contentStart = index + reserved
        let length = count - contentStart
        var width = 1
        var rest = UInt64(length) >> 7
        while rest > 0 {
            width += 1
            rest >>= 7
        }
        if width != reserved {
            if width > reserved { reserve(width - reserved) }
            // The regions overlap: copyMemory moves as memmove does.
            UnsafeMutableRawPointer(start + index + width).copyMemory(from: start + contentStart, byteCount: length)
            count += width - reserved
        }
        _ = writeVarint(UInt64(length), at: index)
    }

    @inline(__always)
    private func reserve(_ extra: Int) {
        if count + extra > capacity { grow(toHold: count + extra) }
    }

    private func grow(toHold needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: start, count: count)
        start.deallocate()
        start = grown
        capacity = newCapacity
    }
}
