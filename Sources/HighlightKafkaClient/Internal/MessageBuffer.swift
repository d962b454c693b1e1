import DequeModule
import Foundation

/// A bounded hand-off from librdkafka's poll thread to Swift tasks.
///
/// The poll thread pushes whole batches and blocks while the buffer is full (that is the consumer's backpressure:
/// librdkafka stops fetching once its own queues fill); tasks take one element at a time and suspend while it is empty.
///
/// `@unchecked Sendable` is safe: every stored `var` is read and written only while `condition` is locked.
final class MessageBuffer<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items = Deque<Element>()
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Element?, Never>)] = []
    private var nextWaiterID: UInt64 = 0
    private var finished = false
    /// Pushes waiting for room (a test observes it).
    private var blockedPushes = 0
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Moves a batch in, in order, blocking the calling thread while the buffer holds `capacity` or more elements.
    ///
    /// Waits on the condition without a timer: what frees room (a take below the capacity, a removal) and
    /// ``finish(discardingBuffered:)``, which every stop of the consumer calls, broadcast it.
    ///
    /// Moved, not copied: appending a copy retained every buffer of every message (its topic, key, value and headers)
    /// and emptying the batch released them again, which was a quarter of the consumer poll thread's samples in a
    /// traced consumer's profile. The batch is reversed in place (elements moved, no reference counted) and taken from
    /// its end.
    ///
    /// - Parameters:
    ///   - batch: the elements; emptied (its capacity kept) when they are taken, left as it is otherwise.
    ///   - shouldStop: checked before each wait; returning true abandons the batch.
    /// - Returns: false when the buffer was finished (or `shouldStop` said so) and the batch was not taken.
    func push(moving batch: inout [Element], shouldStop: () -> Bool) -> Bool {
        var resumed: [(CheckedContinuation<Element?, Never>, Element)] = []
        condition.lock()
        while items.count >= capacity && !finished {
            if shouldStop() {
                condition.unlock()
                return false
            }
            blockedPushes += 1
            condition.wait()
            blockedPushes -= 1
        }
        guard !finished else {
            condition.unlock()
            return false
        }
        batch.withUnsafeMutableBufferPointer { $0.reverse() }
        while !waiters.isEmpty, let first = batch.popLast() {
            resumed.append((waiters.removeFirst().continuation, first))
        }
        while let element = batch.popLast() { items.append(element) }
        condition.unlock()
        for (continuation, element) in resumed { continuation.resume(returning: element) }
        return true
    }

    /// The next element, or `nil` once the buffer is finished and drained (or the task is cancelled).
    func next() async -> Element? {
        switch takeImmediately() {
        case .element(let element): return element
        case .finished: return nil
        case .mustWait(let id):
            return await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    if let immediate = takeOrRegister(id: id, continuation) { continuation.resume(returning: immediate.value) }
                }
            } onCancel: {
                cancelWaiter(id: id)
            }
        }
    }

    private enum Immediate {
        case element(Element)
        case finished
        case mustWait(id: UInt64)
    }

    private func takeImmediately() -> Immediate {
        condition.lock()
        defer { condition.unlock() }
        if let element = popFirstLocked() { return .element(element) }
        if finished { return .finished }
        nextWaiterID += 1
        return .mustWait(id: nextWaiterID)
    }

    /// Takes an element if one arrived meanwhile (or `nil` when finished or cancelled); otherwise registers the
    /// continuation and returns `nil` for "wait".
    private func takeOrRegister(id: UInt64, _ continuation: CheckedContinuation<Element?, Never>) -> (value: Element?, Void)? {
        condition.lock()
        defer { condition.unlock() }
        if let element = popFirstLocked() { return (element, ()) }
        if finished || Task.isCancelled { return (nil, ()) }
        waiters.append((id, continuation))
        return nil
    }

    private func cancelWaiter(id: UInt64) {
        condition.lock()
        let index = waiters.firstIndex { $0.id == id }
        let waiter = index.map { waiters.remove(at: $0) }
        condition.unlock()
        waiter?.continuation.resume(returning: nil)
    }

    /// Waits for at least one element, then takes up to `maximum` that are already there, in order; empty once the
    /// buffer is finished and drained.
    func nextBatch(maximum: Int) async -> [Element] {
        var batch: [Element] = []
        _ = await nextBatch(into: &batch, maximum: maximum)
        return batch
    }

    /// The same into `batch`, emptied first and keeping its capacity, so that a reader taking batch after batch
    /// allocates none; `false` (and `batch` empty) once the buffer is finished and drained.
    func nextBatch(into batch: inout [Element], maximum: Int) async -> Bool {
        batch.removeAll(keepingCapacity: true)
        guard let first = await next() else { return false }
        batch.append(first)
        takeAvailable(into: &batch, maximum: maximum)
        return true
    }

    private func takeAvailable(into batch: inout [Element], maximum: Int) {
        condition.lock()
        // Sized once: grown by appending, the array was reallocated at every doubling, and each large reallocation
        // made glibc consolidate its free lists (5% of a traced consumer's profile).
        batch.reserveCapacity(min(maximum, batch.count + items.count))
        while batch.count < maximum, let element = popFirstLocked() { batch.append(element) }
        condition.unlock()
    }

    /// Takes the first element, waking the pushing thread only when this made room: when the count falls below
    /// `capacity`, not at every take from a buffer a batch filled past it (a wake-up per take kept the poll thread
    /// waking, finding no room and contending for the lock, about a thousand times per batch). Call with the lock held.
    private func popFirstLocked() -> Element? {
        guard let element = items.popFirst() else { return nil }
        if items.count == capacity - 1 { condition.broadcast() }
        return element
    }

    /// Ends the sequence: waiting tasks get `nil`; with `discardingBuffered`, elements not yet taken are dropped
    /// (they were never handed out, so for a consumer they are simply read again later).
    func finish(discardingBuffered: Bool) {
        condition.lock()
        finished = true
        if discardingBuffered { items.removeAll() }
        let pending = waiters
        waiters.removeAll()
        condition.unlock()
        condition.broadcast()
        for waiter in pending { waiter.continuation.resume(returning: nil) }
    }

    /// Drops buffered elements that match, returning how many were dropped (revoked partitions).
    @discardableResult
    func removeAll(where shouldRemove: (Element) -> Bool) -> Int {
        condition.lock()
        let before = items.count
        items.removeAll(where: shouldRemove)
        let removed = before - items.count
        condition.unlock()
        if removed > 0 { condition.broadcast() }
        return removed
    }

    /// Pushes waiting for room.
    var waitingPushes: Int {
        condition.lock()
        defer { condition.unlock() }
        return blockedPushes
    }

    /// Tasks waiting for an element.
    var waitingTasks: Int {
        condition.lock()
        defer { condition.unlock() }
        return waiters.count
    }

    /// Elements waiting to be taken.
    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count
    }
}
