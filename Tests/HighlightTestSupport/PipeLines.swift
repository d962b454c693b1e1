// What both test targets that run child processes share.
package import Foundation

/// A child process's standard output as lines, read on a thread of its own with blocking reads until the end of the
/// output. (A `FileHandle.readabilityHandler` watches the descriptor with a dispatch source, and libdispatch crashed
/// once in a full run when the pipe was closed under it.)
package enum PipeLines {
    package static func stream(_ pipe: Pipe) -> AsyncStream<String> {
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread {
            var pending: [UInt8] = []
            while true {
                let data = handle.availableData  // blocks; empty at the end of the output
                if data.isEmpty { break }
                pending.append(contentsOf: data)
                while let end = pending.firstIndex(of: 0x0A) {
                    continuation.yield(String(decoding: pending[..<end], as: UTF8.self))
                    pending.removeSubrange(...end)
                }
            }
            if !pending.isEmpty { continuation.yield(String(decoding: pending, as: UTF8.self)) }
            continuation.finish()
        }
        return lines
    }
}
