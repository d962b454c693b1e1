import HighlightSynchronization
import Synchronization

/// Consumed messages that their reader is done with, handed back so that the poll thread that copied them releases
/// them.
///
/// A consumed message's buffers (its value, its headers and their bytes) are allocated on the poll thread. Freed on a
/// worker of the cooperative pool, each free goes back to the poll thread's malloc arena under that arena's lock, which
/// the poll thread holds while it copies the next messages: in a traced consumer's profile the workers spent 6% of
/// their time waiting for or waking that lock (`__lll_lock_wait_private`, `__lll_lock_wake_private`). Released on the
/// poll thread, the same buffers go to its own caches, where its next copies find them.
///
/// A message handed back is released on the poll thread's next turn (at most its read timeout later); once the poll
/// thread has stopped, one handed back is released at once, where it is handed back. A message still referenced
/// elsewhere (kept by the application) stays alive: only this reference is given up.
package final class MessageReleaseQueue: Sendable {
    private struct State {
        var messages: [KafkaConsumerMessage] = []
        var closed = false
    }

    private let state = Locked(State())

    package init() {}

    /// Hands `message` back to be released on the poll thread.
    ///
    /// - Parameter message: a message its reader is done with.
    package func giveBack(_ message: consuming KafkaConsumerMessage) {
        // Left here (and released on return, outside the lock) when the poll thread has stopped.
        // `consume` and `take()`: moved in, never copied (a copy is four retains here and four releases later).
        var pending = Optional(consume message)
        state.withLock { state in
            guard !state.closed, let message = pending.take() else { return }
            state.messages.append(consume message)
        }
    }

    /// Takes what was handed back into `released`, emptied first (for the poll thread, which releases it there);
    /// `released`'s storage is the queue's next.
    ///
    /// - Parameter released: emptied, then given the messages handed back since the last call.
    func take(into released: inout [KafkaConsumerMessage]) {
        released.removeAll(keepingCapacity: true)
        state.withLock { swap(&$0.messages, &released) }
    }

    /// Stops queueing: what was handed back is returned, and what is handed back from now on is released by the caller
    /// of ``giveBack(_:)``.
    ///
    /// - Returns: the messages still queued.
    func close() -> [KafkaConsumerMessage] {
        state.withLock { state in
            state.closed = true
            var queued: [KafkaConsumerMessage] = []
            swap(&state.messages, &queued)
            return queued
        }
    }
}
