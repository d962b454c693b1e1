/// Restarts fetching as soon as the consumer has drained librdkafka's queue, instead of up to a second later.
///
/// librdkafka stops fetching while its consumer queue holds `queued.min.messages` messages or
/// `queued.max.messages.kbytes` of payload, and looks at the queue again only when the broker's thread next wakes: on
/// its next request or reply, or after a fixed second. Releases from 2.2 make that wait configurable
/// (`fetch.queue.backoff.ms`); 2.0 (Debian's) does not. A consumer slower than the fetcher but faster than a second's
/// worth of queue reaches the threshold, drains the queue, and then waits with nothing to do: measured on the mock
/// cluster, plain consumers ran at either about 190,000 or 1,000,000 messages a second depending on whether it hit.
///
/// The poll thread reports every batch it takes and the queue's length after it. Once the queue has reached a
/// threshold (what was taken plus what is left: a batch can take the whole queue at once) and then drained below half
/// of both, this wakes the brokers leading the assigned partitions with a request that changes
/// nothing (see `RDKafkaClient.wakeAssignedLeaders()`), and their threads look at the queue again. At most one wake-up per 10 ms.
///
/// Used only by the poll thread.
struct FetchPauseWaker {
    /// librdkafka's `queued.min.messages`.
    let messageThreshold: Int
    /// librdkafka's `queued.max.messages.kbytes`, in bytes.
    let byteThreshold: Int
    private var thresholdReached = false
    private var messagesSeen = 0
    private var payloadBytesSeen = 0
    private var lastWakeUp: ContinuousClock.Instant?

    /// - Parameters:
    ///   - messageThreshold: librdkafka's `queued.min.messages`.
    ///   - byteThreshold: librdkafka's `queued.max.messages.kbytes`, in bytes.
    init(messageThreshold: Int, byteThreshold: Int) {
        self.messageThreshold = max(1, messageThreshold)
        self.byteThreshold = max(1, byteThreshold)
    }

    /// Counts a copied message's payload, to estimate the queue's size in bytes (librdkafka counts payloads).
    mutating func observe(payloadBytes: Int) {
        messagesSeen += 1
        payloadBytesSeen += payloadBytes
    }

    /// Called after each batch with how many messages it took and the length of librdkafka's consumer queue after it;
    /// calls `wake` (which wakes the brokers and says whether it could) when the queue has drained after reaching a
    /// threshold, and returns whether it did.
    mutating func batchTaken(_ taken: Int, leaving queued: Int, wake: () -> Bool) -> Bool {
        let averagePayload = messagesSeen == 0 ? 0 : payloadBytesSeen / messagesSeen
        let before = taken + queued
        // The byte figure is an estimate: treat 90% of the threshold as reaching it.
        if before >= messageThreshold || before * averagePayload >= byteThreshold / 10 * 9 { thresholdReached = true }
        guard thresholdReached, queued < messageThreshold / 2, queued * averagePayload < byteThreshold / 2 else { return false }
        let now = ContinuousClock.now
        if let lastWakeUp, now - lastWakeUp < .milliseconds(10) { return false }
        thresholdReached = false
        lastWakeUp = now
        return wake()
    }
}
