import CZlib
import NIOCore

/// One zlib deflate stream writing gzip (RFC 1952), reset between request bodies instead of set up and torn down for
/// each: `deflateInit2` allocates about 270 KB of window and hash tables, which the kernel zeroes page by page, and
/// the exporter compresses hundreds of bodies a second.
///
/// `@unchecked Sendable`: the stream is mutable C state, safe because each deflater has one user at a time.
/// ``GzipPool`` hands it out under its lock, takes it back after the call, and nothing else keeps a reference.
final class GzipDeflater: @unchecked Sendable {
    /// On the heap: zlib keeps the stream's address in its state and refuses a stream that moved.
    private let stream: UnsafeMutablePointer<z_stream>

    /// A stream at `level`; `nil` when zlib cannot set one up.
    init?(level: Int32) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 window bits, plus 16: a gzip header and trailer instead of zlib's.
        guard deflateInit2_(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            return nil
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// `input` compressed as one gzip member, straight into the buffer the request sends (no zero-filled staging
    /// array, no second copy); `nil` when zlib fails.
    func compress(_ input: [UInt8]) -> ByteBuffer? {
        guard deflateReset(stream) == Z_OK else { return nil }
        let bound = Int(deflateBound(stream, UInt(input.count))) + 32
        var output = ByteBufferAllocator().buffer(capacity: bound)
        let result: Int32 = input.withUnsafeBufferPointer { source in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.pointee.avail_in = UInt32(source.count)
            var code = Z_STREAM_ERROR
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { destination in
                stream.pointee.next_out = destination.baseAddress?.assumingMemoryBound(to: UInt8.self)
                stream.pointee.avail_out = UInt32(destination.count)
                code = deflate(stream, Z_FINISH)
                return code == Z_STREAM_END ? Int(stream.pointee.total_out) : 0
            }
            return code
        }
        // Nothing of the caller's is kept past the call.
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        guard result == Z_STREAM_END else { return nil }
        return output
    }
}
