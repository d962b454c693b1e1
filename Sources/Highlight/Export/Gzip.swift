import NIOCore

/// gzip (RFC 1952) compression of request bodies, through the system's libdeflate. Level 1: OTLP bodies repeat keys and
/// resource attributes, so the fastest level already shrinks them several times, at a fraction of the cost.
enum Gzip {
    /// The compressors every exporter of the process compresses with (four idle at most: the exporter's default
    /// concurrent requests).
    static let pool = GzipPool()

    /// `input` compressed, straight into the buffer the request sends; `nil` when libdeflate fails (the caller then sends
    /// the body uncompressed).
    static func compress(_ input: [UInt8]) -> ByteBuffer? {
        pool.compress(input)
    }
}
