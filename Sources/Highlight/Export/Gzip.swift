import CZlib
import NIOCore

/// gzip (RFC 1952) compression of request bodies, through the system's zlib. Level 1 by default: OTLP bodies repeat
/// keys and resource attributes, so the fastest level already shrinks them several times, at a fraction of the cost.
enum Gzip {
    /// `input` compressed, straight into the buffer the request sends (no zero-filled staging array, no second copy);
    /// `nil` when zlib fails (the caller then sends the body uncompressed).
    static func compress(_ input: [UInt8], level: Int32 = Z_BEST_SPEED) -> ByteBuffer? {
        var stream = z_stream()
        // 15 window bits, plus 16: a gzip header and trailer instead of zlib's.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return nil
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(input.count))) + 32
        var output = ByteBufferAllocator().buffer(capacity: bound)
        let result: Int32 = input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = UInt32(source.count)
            var code = Z_STREAM_ERROR
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { destination in
                stream.next_out = destination.baseAddress?.assumingMemoryBound(to: UInt8.self)
                stream.avail_out = UInt32(destination.count)
                code = deflate(&stream, Z_FINISH)
                return code == Z_STREAM_END ? Int(stream.total_out) : 0
            }
            return code
        }
        guard result == Z_STREAM_END else { return nil }
        return output
    }
}
