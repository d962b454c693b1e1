/// Encoded runs of a request body that many of its spans share byte for byte, kept for one body: the attributes of a
/// Kafka client's messaging endpoint (`messaging.system`, the topic, the operation, the client, its server and group)
/// are the same for every span of that client on that topic, so ``OTLPProtobufWriter`` encodes them once per body and
/// copies the bytes for each later span (writing them was about half of the typed attributes' encoding time). A span's
/// session attributes are kept the same way, per propagated values (the messages of one session share them).
///
/// Keyed by the identity of the object the run is made from. A key stays valid for the body's encoding only: the
/// spans being encoded hold their endpoints, so no two live objects share an identity while the cache is used, and
/// the cache is dropped with the body.
struct SharedEncodings {
    /// The keys of the two runs an element list may share (see `OTLPWriter.repeated(_:_:sharing:in:shared:producedBy:)`);
    /// a run without a key is not written.
    struct Keys {
        var first: ObjectIdentifier?
        var second: ObjectIdentifier?
    }

    /// The most runs kept: past it, a run is written each time (a batch rarely spans more than a few topics).
    static let capacity = 8

    private var keys: [ObjectIdentifier] = []
    private var ranges: [Range<Int>] = []
    private var bytes: [UInt8] = []

    /// The bytes kept under `key`, if any.
    func withBytes<Result>(for key: ObjectIdentifier, _ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        guard let index = keys.firstIndex(of: key) else { return nil }
        return bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[ranges[index]])) }
    }

    /// Whether a run can still be kept.
    var hasRoom: Bool { keys.count < Self.capacity }

    /// Keeps `run` under `key`.
    mutating func keep(_ run: UnsafeRawBufferPointer, for key: ObjectIdentifier) {
        guard hasRoom else { return }
        let start = bytes.count
        bytes.append(contentsOf: run)
        keys.append(key)
        ranges.append(start..<bytes.count)
    }
}
