import DequeModule
import Synchronization

/// A bounded queue between tasks: ``send(_:)`` suspends while it is full, ``next()`` while it is empty. It feeds each
/// partition's worker, so a slow partition fills only its own queue.
final class AsyncBoundedQueue<Element: Sendable>: Sendable {
    private struct State {
        var items = Deque<Element>()
        var finished = false
        var receiver: CheckedContinuation<Element?, Never>?
        var senders: [CheckedContinuation<Bool, Never>] = []
    }

    private enum SendStep {
        case delivered(CheckedContinuation<Element?, Never>?)
        case full
        case finished
    }

    private enum ReceiveStep {
        case element(Element, CheckedContinuation<Bool, Never>?)
        case finished
        case wait
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Appends `element`, waiting for room. Returns false (and drops nothing: the element was never taken) once
    /// the queue is finished.
    @discardableResult
    func send(_ element: Element) async -> Bool {
        while true {
            let step = state.withLock { state -> SendStep in
                if state.finished { return .finished }
                if let receiver = state.receiver {
                    state.receiver = nil
                    return .delivered(receiver)
                }
                if state.items.count < capacity {
                    state.items.append(element)
                    return .delivered(nil)
                }
                return .full
            }
            switch step {
            case .delivered(let receiver):
                receiver?.resume(returning: element)
                return true
            case .finished:
                return false
            case .full:
                let stillOpen = await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state -> Bool? in
                        if state.finished { return false }
                        if state.items.count < capacity { return true }
                        state.senders.append(continuation)
                        return nil
                    }
                    if let resumeNow { continuation.resume(returning: resumeNow) }
                }
                if !stillOpen { return false }
            }
        }
    }

    /// The next element, or `nil` once finished and drained. One receiver at a time.
    func next() async -> Element? {
        await withCheckedContinuation { continuation in
            let step = state.withLock { state -> ReceiveStep in
                if let element = state.items.popFirst() {
                    return .element(element, state.senders.isEmpty ? nil : state.senders.removeFirst())
                }
                if state.finished { return .finished }
                state.receiver = continuation
                return .wait
            }
            switch step {
            case .element(let element, let sender):
                sender?.resume(returning: true)
                continuation.resume(returning: element)
            case .finished:
                continuation.resume(returning: nil)
            case .wait:
                break
            }
        }
    }

    /// Ends the queue; with `discardingPending`, elements not yet taken are dropped.
    /// Drops the elements waiting (the receiver keeps waiting for new ones) and lets blocked senders go on.
    /// - Returns: how many were dropped.
    @discardableResult
    func removePending() -> Int {
        let (count, senders) = state.withLock { state -> (Int, [CheckedContinuation<Bool, Never>]) in
            let count = state.items.count
            state.items.removeAll()
            defer { state.senders.removeAll() }
            return (count, state.senders)
        }
        for sender in senders { sender.resume(returning: true) }
        return count
    }

    func finish(discardingPending: Bool) {
        let (receiver, senders) = state.withLock { state -> (CheckedContinuation<Element?, Never>?, [CheckedContinuation<Bool, Never>]) in
            state.finished = true
            if discardingPending { state.items.removeAll() }
            defer {
                state.receiver = nil
                state.senders.removeAll()
            }
            return (state.items.isEmpty ? state.receiver : nil, state.senders)
        }
        receiver?.resume(returning: nil)
        for sender in senders { sender.resume(returning: false) }
    }
}
