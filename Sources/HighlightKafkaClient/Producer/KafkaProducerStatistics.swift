import Synchronization

/// Counters of a ``KafkaProducer``: every message it accepted ends up in exactly one of ``delivered`` or ``failed``.
public struct KafkaProducerStatistics: Sendable, Hashable {
    /// Messages librdkafka accepted into its queue.
    public var enqueued: Int
    /// Messages the broker acknowledged.
    public var delivered: Int
    /// Messages that failed (timeout, purge at shutdown, broker refusal).
    public var failed: Int
    /// Fire-and-forget reports dropped because nobody read ``KafkaProducer/deliveryReports`` fast enough.
    public var deliveryReportsDropped: Int
    /// Messages accepted but not yet reported.
    public var inFlight: Int { enqueued - delivered - failed }
}

final class ProducerCounters: Sendable {
    let enqueued = Atomic<Int>(0)
    let delivered = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let reportsDropped = Atomic<Int>(0)

    var snapshot: KafkaProducerStatistics {
        KafkaProducerStatistics(
            enqueued: enqueued.load(ordering: .relaxed),
            delivered: delivered.load(ordering: .relaxed),
            failed: failed.load(ordering: .relaxed),
            deliveryReportsDropped: reportsDropped.load(ordering: .relaxed)
        )
    }
}
