import HighlightSynchronization
import Synchronization

/// The bounded queue between the code that ends spans or writes log records and the exporter: a push takes a lock
/// for an append and never waits; when the queue is full the element is dropped and counted.
///
/// The exporter is woken once per batch (when the queue reaches `batchSize`), never per element; it takes everything
/// queued at once. `H.bootstrap` makes two (spans, log records); give one to ``HighlightTracer`` yourself to keep
/// ended spans in memory, in tests or in a pipeline of your own:
///
/// ```swift
/// let spans = TelemetryQueue<HighlightSpan>(capacity: 10_000, batchSize: 512) { /* wake your exporter */ }
/// let tracer = HighlightTracer(queue: spans)
/// tracer.startSpan("work", context: .topLevel).end()
/// let ended = spans.takeAll()  // [HighlightSpan]
/// ```
public final class TelemetryQueue<Element: Sendable>: Sendable {
    private struct State {
        var elements: [Element]
        var dropped = 0
    }

    /// The most elements it holds; past it, appends are dropped and counted.
    public let capacity: Int
    /// How many elements make a batch: the append that reaches it wakes the consumer.
    public let batchSize: Int
    private let state: Locked<State>
    private let batchReady: @Sendable () -> Void

    /// - Parameters:
    ///   - capacity: the most elements queued at once.
    ///   - batchSize: the count at which `batchReady` is called (once each time the count reaches it).
    ///   - batchReady: wakes the exporter; called outside the lock.
    public init(capacity: Int, batchSize: Int, batchReady: @escaping @Sendable () -> Void) {
        self.capacity = max(1, capacity)
        self.batchSize = max(1, min(batchSize, capacity))
        var elements: [Element] = []
        elements.reserveCapacity(self.batchSize)
        self.state = Locked(State(elements: elements))
        self.batchReady = batchReady
    }

    /// Queues `element`; `false` when the queue was full and the element was dropped (and counted).
    ///
    /// - Parameter element: the span or log record.
    /// - Returns: `true` when it was queued.
    @discardableResult
    public func push(_ element: Element) -> Bool {
        let outcome: Int = state.withLock { state in
            guard state.elements.count < capacity else {
                state.dropped += 1
                return -1
            }
            state.elements.append(element)
            return state.elements.count
        }
        if outcome == batchSize { batchReady() }
        return outcome >= 0
    }

    /// Everything queued now, oldest first; the queue is left empty, with room for one batch (keeping the capacity
    /// of its fullest moment would allocate and touch that much memory again at every take).
    ///
    /// - Returns: the queued elements, oldest first.
    public func takeAll() -> [Element] {
        var fresh: [Element] = []
        fresh.reserveCapacity(batchSize)
        return state.withLock { state in
            swap(&state.elements, &fresh)
            return fresh
        }
    }

    /// Everything queued now, oldest first, in `batch`, whose storage the queue keeps for what comes next: an
    /// exporter that passes the same array each time allocates nothing in the steady state. What `batch` held is
    /// released first, outside the lock.
    ///
    /// A fresh array per take allocated a batch's worth of storage (4 KB for 512 spans) on the exporter's thread, and
    /// an allocation that size makes glibc merge every small freed block the thread holds first: 8% of a traced
    /// consumer's worker threads went to it.
    ///
    /// - Parameter batch: emptied, then given what is queued.
    public func takeAll(into batch: inout [Element]) {
        batch.removeAll(keepingCapacity: true)
        if batch.capacity < batchSize { batch.reserveCapacity(batchSize) }
        state.withLock { swap(&$0.elements, &batch) }
    }

    /// How many elements are queued.
    public var count: Int { state.withLock { $0.elements.count } }

    /// Elements dropped because the queue was full since the last call; the count starts again from zero.
    ///
    /// - Returns: how many elements were dropped since the last call.
    public func takeDroppedCount() -> Int {
        state.withLock { state in
            defer { state.dropped = 0 }
            return state.dropped
        }
    }
}
