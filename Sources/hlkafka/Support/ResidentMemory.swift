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

/// Resident memory once a run is warm (a tenth of its messages handled) and at its end.
final class ResidentGrowth: Sendable {
    private let warmUpAt: Int
    private let warm = Atomic<Int>(0)

    init(messages: Int) { warmUpAt = max(1, messages / 10) }

    /// Call with each message's running count.
    func observe(_ count: Int) {
        if count == warmUpAt { warm.store(ResidentMemory.bytes, ordering: .relaxed) }
    }

    /// Growth since warm-up; `nil` when the run never got warm.
    var growthSinceWarmUp: Int? {
        let warm = warm.load(ordering: .relaxed)
        return warm == 0 ? nil : ResidentMemory.bytes - warm
    }
}
