import CDeflate
import NIOCore

/// One libdeflate compressor writing gzip (RFC 1952), kept between request bodies instead of set up and torn down for
/// each: `libdeflate_alloc_compressor` allocates its hash tables (hundreds of kilobytes, which the kernel zeroes page
/// by page), and the exporter compresses hundreds of bodies a second.
///
/// libdeflate compresses a whole buffer in one call, which is what a request body is: at level 1 it compressed the
/// exporter's span batches about 1.8 times as fast as zlib's deflate at its fastest level, and a little smaller
/// (Benchmarks/README.md, "Compression").
///
/// `@unchecked Sendable`: the compressor is mutable C state, safe because each deflater has one user at a time.
/// ``GzipPool`` hands it out under its lock, takes it back after the call, and nothing else keeps a reference.
final class GzipDeflater: @unchecked Sendable {
    private let compressor: OpaquePointer

    /// A compressor at `level` (1, fastest, to 12); `nil` when libdeflate cannot allocate one.
    init?(level: Int32) {
        guard let compressor = libdeflate_alloc_compressor(level) else { return nil }
        self.compressor = compressor
    }

    deinit {
        libdeflate_free_compressor(compressor)
    }

    /// `input` compressed as one gzip member, straight into the buffer the request sends (no zero-filled staging
    /// array, no second copy); `nil` when libdeflate fails.
    func compress(_ input: [UInt8]) -> ByteBuffer? {
        let bound = libdeflate_gzip_compress_bound(compressor, input.count)
        var output = ByteBufferAllocator().buffer(capacity: bound)
        let written = input.withUnsafeBytes { source in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { destination in
                // 0 when the output did not fit, which the bound rules out.
                libdeflate_gzip_compress(compressor, source.baseAddress, source.count, destination.baseAddress, destination.count)
            }
        }
        return written > 0 ? output : nil
    }
}
