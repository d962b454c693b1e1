import DequeModule
import HighlightSynchronization
import Synchronization

/// A bounded queue between tasks: ``send(_:)`` suspends while it is full, ``next()`` while it is empty. It feeds each
/// partition's worker, so a slow partition fills only its own queue. With a ``QueueBudget`` shared by several queues,
/// a message is stored only once the budget has a slot for it, so their sum stays bounded too.
final class AsyncBoundedQueue<Element: Sendable>: Sendable {
    private struct State {
        var items = Deque<Element>()
        var finished = false
        var receiver: CheckedContinuation<Element?, Never>?
        var senders: [(id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextSenderID = 0
        /// The most elements held since the storage was last let go (a `Deque` never shrinks on its own).
        var peak = 0

        /// Storage for this many elements is kept when the queue drains; above it, it is let go (kept for good, the
        /// busiest moments of hundreds of partitions grew memory by several MB per million messages).
        static var retainedStorage: Int { 32 }

        /// Lets the storage go once the queue is empty, when it had grown past what is worth keeping.
        mutating func releaseStorageIfDrained() {
            guard items.isEmpty, peak > Self.retainedStorage else { return }
            items = Deque()
            peak = 0
        }
    }

    /// What a send found (no payload: one with the continuation was copied via metadata lookups, 1% of consumer CPU).
    private enum SendStep {
        case delivered
        case handedOver
        case full
        case finished
    }

    private enum ReceiveStep {
        case element(Element)
        case finished
        case wait
    }

    private let state = Locked(State())
    private let capacity: Int
    private let budget: QueueBudget?

    init(capacity: Int, budget: QueueBudget? = nil) {
        self.capacity = max(1, capacity)
        self.budget = budget
    }

    /// Appends `element`, waiting for room. Returns false (and drops nothing: the element was never taken) once
    /// the queue is finished, or when the task is cancelled while it waits.
    @discardableResult
    nonisolated(nonsending) func send(_ element: consuming Element) async -> Bool {
        // Moved along, never copied (see `send(poppingLast:from:)`): taken out where it leaves this call.
        var pending = Optional(consume element)
        // A worker already waiting takes the element at once: it is never stored, so it needs no slot in the budget
        // (the common case when handlers keep up).
        if let receiver = takeWaitingReceiver(), let element = pending.take() {
            receiver.resume(returning: consume element)
            return true
        }
        // The slot is held from here until the element leaves the queue (`next`, `removePending`, `finish`).
        guard await budget?.acquire() ?? true else { return false }
        while true {
            var receiver: CheckedContinuation<Element?, Never>?
            let step = state.withLock { state -> SendStep in
                if state.finished { return .finished }
                if let waiting = state.receiver {
                    state.receiver = nil
                    receiver = waiting
                    return .handedOver
                }
                if state.items.count < capacity, let element = pending.take() {
                    state.items.append(consume element)
                    state.peak = max(state.peak, state.items.count)
                    return .delivered
                }
                return .full
            }
            switch step {
            case .delivered: return true
            case .handedOver:
                budget?.release()
                if let element = pending.take() { receiver?.resume(returning: consume element) }
                return true
            case .finished:
                budget?.release()
                return false
            case .full:
                if !(await waitForRoom()) {
                    budget?.release()
                    return false
                }
            }
        }
    }

    /// Moves the last `count` elements of `elements` in, the last one first, as ``send(_:)`` one by one would, but
    /// with one lock and at most one wake-up of the receiver for all that fit at once (a Kafka fetch delivers a
    /// partition's messages in runs; a wake-up per message was a task switch per message). What does not fit is sent
    /// one by one, waiting for room.
    ///
    /// Moved, not copied: the dispatcher keeps its batch reversed and hands each run over from the end. A copy of a
    /// consumed message retained its four buffers and released them again on another thread than the reader's: a
    /// tenth of a traced consumer's worker samples.
    ///
    /// - Parameters:
    ///   - count: how many elements to take from the end of `elements`; all of them leave it.
    ///   - elements: the elements, the first to send last.
    /// - Returns: how many were taken: all, or fewer once the queue is finished or the task is cancelled while waiting
    ///   (those not taken are dropped, as a finished queue drops what it holds).
    @discardableResult
    nonisolated(nonsending) func send(poppingLast count: Int, from elements: inout [Element]) async -> Int {
        let end = elements.count - min(max(0, count), elements.count)
        guard elements.count > end else { return 0 }
        let slots = budget?.acquireAvailable(upTo: elements.count - end) ?? (elements.count - end)
        var receiver: CheckedContinuation<Element?, Never>?
        var handedOver: Element?
        var stored = 0
        let finished = state.withLock { state -> Bool in
            if state.finished { return true }
            if let waiting = state.receiver {
                // Handed over, never stored: it needs no slot.
                state.receiver = nil
                receiver = waiting
                handedOver = elements.removeLast()
            }
            while elements.count > end, stored < slots, state.items.count < capacity {
                state.items.append(elements.removeLast())
                stored += 1
            }
            state.peak = max(state.peak, state.items.count)
            return false
        }
        if slots > stored { budget?.release(slots - stored) }
        if finished {
            elements.removeSubrange(end...)
            return 0
        }
        if let receiver, let element = handedOver.take() { receiver.resume(returning: element) }
        var taken = stored + (receiver == nil ? 0 : 1)
        while elements.count > end {
            guard await send(elements.removeLast()) else {
                elements.removeSubrange(end...)
                break
            }
            taken += 1
        }
        return taken
    }

    /// Waits until the queue has room (true), or is finished or the task cancelled (false).
    private nonisolated(nonsending) func waitForRoom() async -> Bool {
        let id = state.withLock { state -> Int in
            state.nextSenderID += 1
            return state.nextSenderID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool? in
                    if state.finished || Task.isCancelled { return false }
                    if state.items.count < capacity { return true }
                    state.senders.append((id, continuation))
                    return nil
                }
                if let resumeNow { continuation.resume(returning: resumeNow) }
            }
        } onCancel: {
            let sender = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.senders.firstIndex(where: { $0.id == id }) else { return nil }
                return state.senders.remove(at: index).continuation
            }
            sender?.resume(returning: false)
        }
    }

    private func takeWaitingReceiver() -> CheckedContinuation<Element?, Never>? {
        state.withLock { state in
            guard !state.finished, let receiver = state.receiver else { return nil }
            state.receiver = nil
            return receiver
        }
    }

    /// The next element, or `nil` once finished and drained, or when the task is cancelled while it waits. One
    /// receiver at a time.
    nonisolated(nonsending) func next() async -> Element? {
        // Without suspending when an element is there: a continuation made for an element already queued still
        // suspended the worker and scheduled it again, a task switch per message.
        switch take(registering: nil) {
        case .element(let element):
            return element
        case .finished:
            return nil
        case .wait:
            return await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    switch take(registering: continuation) {
                    case .element(let element): continuation.resume(returning: element)
                    case .finished: continuation.resume(returning: nil)
                    case .wait: break
                    }
                }
            } onCancel: {
                // Whoever takes the registered receiver out (a sender handing it an element, or this) resumes it.
                let receiver = state.withLock { state -> CheckedContinuation<Element?, Never>? in
                    defer { state.receiver = nil }
                    return state.receiver
                }
                receiver?.resume(returning: nil)
            }
        }
    }

    /// Up to `maximum` elements that are already there, without waiting (what completes a batch begun by ``next()``).
    func takeAvailable(upTo maximum: Int) -> [Element] {
        guard maximum > 0 else { return [] }
        let (taken, senders) = state.withLock { state -> ([Element], [CheckedContinuation<Bool, Never>]) in
            var taken: [Element] = []
            while taken.count < maximum, let element = state.items.popFirst() { taken.append(element) }
            state.releaseStorageIfDrained()
            let woken = min(taken.count, state.senders.count)
            defer { state.senders.removeFirst(woken) }
            return (taken, state.senders.prefix(woken).map(\.continuation))
        }
        budget?.release(taken.count)
        for sender in senders { sender.resume(returning: true) }
        return taken
    }

    /// Takes the first element (giving its budget slot back and letting a blocked sender on), or registers
    /// `receiver` to be handed the next one when there is none and it is given.
    private func take(registering receiver: CheckedContinuation<Element?, Never>?) -> ReceiveStep {
        var sender: CheckedContinuation<Bool, Never>?
        let step = state.withLock { state -> ReceiveStep in
            if let element = state.items.popFirst() {
                state.releaseStorageIfDrained()
                if !state.senders.isEmpty { sender = state.senders.removeFirst().continuation }
                return .element(element)
            }
            if state.finished { return .finished }
            if let receiver {
                // Cancelled before the handler could see a receiver to resume: end the wait here.
                if Task.isCancelled { return .finished }
                state.receiver = receiver
            }
            return .wait
        }
        if case .element = step {
            budget?.release()
            sender?.resume(returning: true)
        }
        return step
    }

    /// Drops the elements waiting (the receiver keeps waiting for new ones) and lets blocked senders go on.
    /// - Returns: how many were dropped.
    @discardableResult
    func removePending() -> Int {
        let (count, senders) = state.withLock { state -> (Int, [CheckedContinuation<Bool, Never>]) in
            let count = state.items.count
            state.items.removeAll()
            defer { state.senders.removeAll() }
            return (count, state.senders.map(\.continuation))
        }
        budget?.release(count)
        for sender in senders { sender.resume(returning: true) }
        return count
    }

    /// Ends the queue; with `discardingPending`, elements not yet taken are dropped.
    func finish(discardingPending: Bool) {
        let (receiver, senders, dropped) = state.withLock {
            state -> (CheckedContinuation<Element?, Never>?, [CheckedContinuation<Bool, Never>], Int) in
            state.finished = true
            let dropped = discardingPending ? state.items.count : 0
            if discardingPending { state.items.removeAll() }
            defer {
                state.receiver = nil
                state.senders.removeAll()
            }
            return (state.items.isEmpty ? state.receiver : nil, state.senders.map(\.continuation), dropped)
        }
        budget?.release(dropped)
        receiver?.resume(returning: nil)
        for sender in senders { sender.resume(returning: false) }
    }

    /// Elements stored.
    var count: Int { state.withLock { $0.items.count } }

    /// Whether a receiver waits for an element.
    var hasWaitingReceiver: Bool { state.withLock { $0.receiver != nil } }

    /// Senders waiting for room.
    var waitingSenders: Int { state.withLock { $0.senders.count } }
}
