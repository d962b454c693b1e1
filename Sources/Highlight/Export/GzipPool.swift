import HighlightSynchronization
import NIOCore
import Synchronization

/// The compressors the exporter's requests compress with, kept between requests (see ``GzipDeflater``): one per
/// request compressing at the same time, at most ``keep`` idle ones.
final class GzipPool: Sendable {
    private let level: Int32
    private let keep: Int
    private let idle = Locked<[GzipDeflater]>([])

    init(level: Int32 = 1, keep: Int = 4) {
        self.level = level
        self.keep = keep
    }

    /// `input` compressed as gzip; `nil` when libdeflate fails (the caller then sends the body uncompressed).
    func compress(_ input: [UInt8]) -> ByteBuffer? {
        guard let deflater = idle.withLock({ $0.popLast() }) ?? GzipDeflater(level: level) else { return nil }
        let compressed = deflater.compress(input)
        idle.withLock { if $0.count < keep { $0.append(deflater) } }
        return compressed
    }

    /// How many compressors wait for the next request.
    var idleCount: Int { idle.withLock { $0.count } }
}
