import Synchronization
import Foundation

/// The process's resident memory, read from /proc (0 where there is none).
enum ResidentMemory {
    static var bytes: Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// Resident memory at a tenth of a run's messages, at half of them, and at its end: growth from the tenth includes
/// the fetch and partition queues filling up; growth over the second half is what keeps growing once they are full.
final class ResidentGrowth: Sendable {
    struct Report: Sendable {
        /// From a tenth of the messages to the end, in bytes.
        let sinceWarmUp: Int
        /// From half of the messages to the end, in bytes.
        let overSecondHalf: Int
    }

    private let warmUpAt: Int
    private let halfAt: Int
    private let warm = Atomic<Int>(0)
    private let half = Atomic<Int>(0)

    init(messages: Int) {
        warmUpAt = max(1, messages / 10)
        halfAt = max(1, messages / 2)
    }

    /// Call with each message's running count.
    func observe(_ count: Int) {
        if count == warmUpAt { warm.store(ResidentMemory.bytes, ordering: .relaxed) }
        if count == halfAt { half.store(ResidentMemory.bytes, ordering: .relaxed) }
    }

    /// `nil` when the run never got warm.
    var report: Report? {
        let warm = warm.load(ordering: .relaxed), half = half.load(ordering: .relaxed)
        guard warm != 0, half != 0 else { return nil }
        let now = ResidentMemory.bytes
        return Report(sinceWarmUp: now - warm, overSecondHalf: now - half)
    }
}
