/// Tasks parked until an event, each under an id so that its task's cancellation can take it out again. Kept inside
/// its owner's locked state, so that checking whether to wait and parking happen under one lock.
package struct ParkedWaiters {
    private var nextID = 0
    private var parked: [Int: CheckedContinuation<Void, Never>] = [:]

    package init() {}

    /// How many are parked.
    package var count: Int { parked.count }

    /// An id for a task about to park.
    package mutating func reserveID() -> Int {
        nextID += 1
        return nextID
    }

    package mutating func park(_ id: Int, _ continuation: CheckedContinuation<Void, Never>) {
        parked[id] = continuation
    }

    /// Takes one out (its task was cancelled); `nil` when it was already woken.
    package mutating func unpark(_ id: Int) -> CheckedContinuation<Void, Never>? {
        parked.removeValue(forKey: id)
    }

    /// Takes every one out, to be resumed outside the lock.
    package mutating func takeAll() -> [CheckedContinuation<Void, Never>] {
        defer { parked.removeAll() }
        return Array(parked.values)
    }
}

/// Parks the current task until it is resumed, or until it is cancelled.
///
/// - Parameters:
///   - reserve: reserves an id (under the owner's lock).
///   - parkUnlessDone: under the owner's lock, parks the continuation under the id and returns true, or returns false
///     when there is nothing to wait for (the task is then resumed at once). It must also return false when
///     `Task.isCancelled`, which closes the race with a cancellation that came before parking.
///   - unpark: under the owner's lock, takes the continuation of the id out, when it is still parked.
package func parkCancellably(
    reserve: () -> Int,
    parkUnlessDone: (Int, CheckedContinuation<Void, Never>) -> Bool,
    unpark: @Sendable (Int) -> CheckedContinuation<Void, Never>?
) async {
    let id = reserve()
    await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            if !parkUnlessDone(id, continuation) { continuation.resume() }
        }
    } onCancel: {
        unpark(id)?.resume()
    }
}
