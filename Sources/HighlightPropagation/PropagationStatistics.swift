import Synchronization
import HighlightSynchronization

/// Counts what ``HighlightPropagator`` extracted and refused, so a drop is never silent.
///
/// Every propagator counts into ``shared`` unless given its own instance (tests do that to count in isolation).
///
/// ```swift
/// let statistics = PropagationStatistics()
/// let propagator = HighlightPropagator(statistics: statistics)
/// // ... extract from carriers ...
/// statistics.rejectionCount(for: .highlightRequest)  // how many x-highlight-request values were refused
/// ```
public final class PropagationStatistics: Sendable {
    /// A point-in-time copy of the counters.
    public struct Snapshot: Sendable, Hashable {
        /// Carriers extracted from.
        public var extractions: Int
        /// Extractions that restored a ``HighlightRequestContext``.
        public var highlightRequestsExtracted: Int
        /// Refused values, by field and reason.
        public var rejections: [PropagationRejection: Int]
        /// Baggage members dropped on injection to stay within ``PropagationLimits``.
        public var baggageMembersDroppedOnInjection: Int

        /// All refused values.
        public var totalRejections: Int { rejections.values.reduce(0, +) }
    }

    private let extractions = Atomic<Int>(0)
    private let highlightRequests = Atomic<Int>(0)
    private let droppedOnInjection = Atomic<Int>(0)
    private let rejections = Locked<[PropagationRejection: Int]>([:])

    /// Creates a set of counters at zero.
    public init() {}

    /// The counters every propagator uses unless told otherwise.
    public static let shared = PropagationStatistics()

    /// The counters now.
    public var snapshot: Snapshot {
        Snapshot(
            extractions: extractions.load(ordering: .relaxed),
            highlightRequestsExtracted: highlightRequests.load(ordering: .relaxed),
            rejections: rejections.withLock { $0 },
            baggageMembersDroppedOnInjection: droppedOnInjection.load(ordering: .relaxed)
        )
    }

    /// How many values of `field` were refused, for any reason.
    ///
    /// - Parameter field: the header.
    /// - Returns: the count since these statistics were created.
    public func rejectionCount(for field: PropagationRejection.Field) -> Int {
        rejections.withLock { counts in counts.filter { $0.key.field == field }.values.reduce(0, +) }
    }

    func recordExtraction(restoredHighlightRequest: Bool) {
        extractions.add(1, ordering: .relaxed)
        if restoredHighlightRequest { highlightRequests.add(1, ordering: .relaxed) }
    }

    func record(_ rejection: PropagationRejection) {
        rejections.withLock { $0[rejection, default: 0] += 1 }
    }

    func recordDroppedOnInjection(_ count: Int) {
        droppedOnInjection.add(count, ordering: .relaxed)
    }
}
