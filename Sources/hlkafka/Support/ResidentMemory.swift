import HighlightSynchronization
import Foundation
import CHeapStatistics
import Synchronization

/// The process's resident memory, read from /proc (0 where there is none).
enum ResidentMemory {
    static var bytes: Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Bytes the C allocator has handed out and not had back (glibc's `mallinfo2`: in-use chunks plus mapped
    /// blocks), 0 elsewhere. Unlike resident memory it does not move with what the allocator keeps cached, so it
    /// tells objects that stay alive from freed memory not yet returned to the system.
    static var heapInUse: Int {
        Int(hl_heap_bytes_in_use())
    }
}

/// Resident memory sampled at every hundredth of a run's messages.
///
/// A single reading moves by tens of MB with the allocator (large buffers are mapped and unmapped as fetches come and
/// go), so growth is measured between medians of ten readings: those from 10% to 19% of the messages (after warm-up:
/// the fetch and partition queues have filled), from 50% to 59%, and from 91% to 100% (the end). The allocator's
/// bytes in use are sampled alongside.
final class ResidentGrowth: Sendable {
    struct Report: Sendable {
        /// Allocator bytes in use, from the warm-up readings to the last ones (`nil` unless sampled).
        let heapSinceWarmUp: Int?
        /// From the warm-up readings to the last ones, in bytes.
        let sinceWarmUp: Int
        /// From the mid-run readings to the last ones, in bytes.
        let overSecondHalf: Int
        /// The lowest and highest single readings from warm-up on, less the warm-up median, in bytes.
        let lowestSinceWarmUp: Int
        let highestSinceWarmUp: Int
        /// Every reading (index i: at i% of the messages), in bytes; `nil` where none was taken.
        let residentReadings: [Int?]
        let heapReadings: [Int?]
    }

    private let step: Int
    private let sampleHeap: Bool
    private let samples = Locked<[Int?]>(Array(repeating: nil, count: 101))
    private let heapSamples = Locked<[Int?]>(Array(repeating: nil, count: 101))

    /// - Parameter sampleHeap: also read the allocator's bytes in use. glibc walks every arena's free lists for it,
    ///   holding their locks, which slows a run with a large heap (the embedded mock cluster's) by half: throughput
    ///   runs leave it off.
    init(messages: Int, sampleHeap: Bool = false) {
        step = max(1, messages / 100)
        self.sampleHeap = sampleHeap
    }

    /// Call with each message's running count (each count once; from any thread).
    func observe(_ count: Int) {
        guard count % step == 0 else { return }
        let index = count / step
        guard index <= 100 else { return }
        let bytes = ResidentMemory.bytes
        samples.withLock { $0[index] = bytes }
        if sampleHeap {
            let heap = ResidentMemory.heapInUse
            heapSamples.withLock { $0[index] = heap }
        }
    }

    /// `nil` when the run never got past warm-up.
    var report: Report? {
        let samples = samples.withLock { $0 }, heapSamples = heapSamples.withLock { $0 }
        func median(_ range: ClosedRange<Int>, of samples: [Int?]) -> Int? {
            let values = range.compactMap { samples[$0] }.sorted()
            return values.isEmpty ? nil : values[values.count / 2]
        }
        guard let warm = median(10...19, of: samples), let middle = median(50...59, of: samples), let end = median(91...100, of: samples)
        else { return nil }
        let heapWarm = median(10...19, of: heapSamples), heapEnd = median(91...100, of: heapSamples)
        let afterWarmUp = samples[10...].compactMap { $0 }
        return Report(
            heapSinceWarmUp: heapWarm.flatMap { warm in heapEnd.map { $0 - warm } },
            sinceWarmUp: end - warm,
            overSecondHalf: end - middle,
            lowestSinceWarmUp: (afterWarmUp.min() ?? warm) - warm,
            highestSinceWarmUp: (afterWarmUp.max() ?? warm) - warm,
            residentReadings: samples,
            heapReadings: heapSamples
        )
    }
}
