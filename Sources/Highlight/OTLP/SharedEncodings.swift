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

    /// The most runs kept for each of the two keys (endpoints, sessions): past it, a run of that key is written each
    /// time (a batch rarely spans more than a few topics). Separate, so that a batch of many sessions never crowds the
    /// endpoints out.
    static let capacity = 8

    private var keys: [ObjectIdentifier] = []
    private var ranges: [Range<Int>] = []
    private var bytes: [UInt8] = []
    /// How many runs of each key (0: ``Keys/first``, 1: ``Keys/second``) are kept.
    private var kept = (0, 0)

    /// The bytes kept under `key`, if any.
    func withBytes<Result>(for key: ObjectIdentifier, _ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        guard let index = keys.firstIndex(of: key) else { return nil }
        return bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[ranges[index]])) }
    }

    /// Whether one more run of `run` (0 for the first key, 1 for the second) can still be kept.
    func hasRoom(forRun run: Int) -> Bool {
        (run == 0 ? kept.0 : kept.1) < Self.capacity
    }

    /// Keeps `bytes` under `key`, the key of `run`.
    mutating func keep(_ bytes: UnsafeRawBufferPointer, for key: ObjectIdentifier, run: Int) {
        guard hasRoom(forRun: run) else { return }
        if run == 0 { kept.0 += 1 } else { kept.1 += 1 }
        let start = self.bytes.count
        self.bytes.append(contentsOf: bytes)
        keys.append(key)
        ranges.append(start..<self.bytes.count)
    }
}
