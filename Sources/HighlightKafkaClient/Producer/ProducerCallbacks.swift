import Logging
import Synchronization

/// What librdkafka's producer callbacks need, reached through the client's opaque pointer. Lives as long as the
/// ``RDKafkaClient`` that holds it.
final class ProducerCallbacks: Sendable {
    /// `nil` when the configuration turned the report stream off.
    let reports: AsyncStream<KafkaDeliveryReport>.Continuation?
    let counters = ProducerCounters()
    /// Who serves the reports, and the wake-up librdkafka gives when they arrive.
    let serving = DeliveryReportServing()
    let logger: Logger
    /// The observer type whose objects ride as their message's opaque; set once, by the first observed send with the
    /// report stream off (a retained reference, released in `deinit`).
    private let observerKind = Atomic<Unmanaged<DeliveryObserverKind>?>(nil)

    /// What a delivery report says.
    enum DeliveryOutcome {
        case delivered(partition: Int32, offset: Int64, timestampMilliseconds: Int64?)
        case failed(KafkaErrorCode)
    }

    init(reports: AsyncStream<KafkaDeliveryReport>.Continuation?, logger: Logger) {
        self.reports = reports
        self.logger = logger
    }

    /// A delivery report: `pending` is the context the message was queued with (`nil` when librdkafka handed none back),
    /// `outcome` where it landed or why it failed.
    func delivered(_ pending: PendingDelivery?, _ outcome: DeliveryOutcome) {
        guard let pending else {
            logger.error("A delivery report arrived without its message context; it cannot be matched to a send")
            return
        }
        let result: Result<KafkaDeliveryReceipt, KafkaError>
        switch outcome {
        case .delivered(let partition, let offset, let timestamp):
            result = .success(KafkaDeliveryReceipt(topic: pending.topic, partition: partition, offset: offset, timestampMilliseconds: timestamp))
            counters.delivered.add(1, ordering: .relaxed)
        case .failed(let code):
            let error = KafkaError(kind: .delivery, code: code, message: "delivery to \(pending.topic) failed: \(code.message)")
            result = .failure(error)
            counters.failed.add(1, ordering: .relaxed)
            logger.debug("Message not delivered", metadata: ["topic": "\(pending.topic)", "error": "\(error.code.name)"])
        }
        pending.onDelivery?(result)
        if let observer = pending.observer {
            switch result {
            case .success(let receipt): observer.delivered(partition: receipt.partition, offset: receipt.offset)
            case .failure(let error): observer.failed(error)
            }
        }
        if pending.forgotten {
            if let reports, case .dropped = reports.yield(KafkaDeliveryReport(messageID: pending.id, topic: pending.topic, result: result)) {
                counters.reportsDropped.add(1, ordering: .relaxed)
            }
            if case .failure(let error) = result {
                logger.warning("A fire-and-forget message was not delivered", metadata: ["topic": "\(pending.topic)", "error": "\(error)"])
            }
        } else {
            pending.complete(result)
        }
    }

    /// What a fire-and-forget send with no closure or observer carries: nothing with the report stream off (it is only
    /// counted), else the record its report is made from.
    func forgottenContext(id: UInt64, topic: String) -> DeliveryContext {
        reports == nil ? .bare : .pending(PendingDelivery(id: id, topic: topic, forgotten: true))
    }

    /// Whether a send observed by an `Observer` can carry the object itself as its opaque: only with the report stream
    /// off (a report needs the send's id and topic, which only a ``PendingDelivery`` keeps), and only for one observer
    /// type per producer (the first asked about).
    func carriesDirectly<Observer: KafkaDeliveryObserver>(_: Observer.Type) -> Bool {
        guard reports == nil else { return false }
        if let kind = observerKind.load(ordering: .acquiring) {
            return kind.takeUnretainedValue().id == ObjectIdentifier(Observer.self)
        }
        let made = Unmanaged.passRetained(DeliveryObserverKind(Observer.self))
        let (exchanged, original) = observerKind.compareExchange(expected: nil, desired: made, ordering: .acquiringAndReleasing)
        guard !exchanged, let original else { return true }
        made.release()
        return original.takeUnretainedValue().id == ObjectIdentifier(Observer.self)
    }

    /// A delivery report of a message whose opaque was its observer `object` (see ``carriesDirectly(_:)``).
    ///
    /// - Parameters:
    ///   - object: the observer, of the producer's observer kind.
    ///   - outcome: where it landed, or why it failed.
    ///   - topic: the message's topic, read only when a failure needs naming.
    func observed(_ object: AnyObject, _ outcome: DeliveryOutcome, topic: () -> String) {
        // Set before the object was queued (the send's produce call orders it before this report).
        guard let kind = observerKind.load(ordering: .acquiring)?.takeUnretainedValue() else {
            logger.error("A delivery report carried an observer of no known kind; its outcome is dropped")
            return
        }
        switch outcome {
        case .delivered(let partition, let offset, _):
            counters.delivered.add(1, ordering: .relaxed)
            kind.delivered(object, partition, offset)
        case .failed(let code):
            kind.failed(object, countFailure(code, topic: topic()))
        }
    }

    /// A delivery report of a send nobody waits for or observes (a ``DeliveryContext/bare`` one): counted, and logged
    /// when it failed.
    ///
    /// - Parameters:
    ///   - outcome: where it landed, or why it failed.
    ///   - topic: the message's topic, read only when a failure needs naming.
    func counted(_ outcome: DeliveryOutcome, topic: () -> String) {
        switch outcome {
        case .delivered: counters.delivered.add(1, ordering: .relaxed)
        case .failed(let code): _ = countFailure(code, topic: topic())
        }
    }

    private func countFailure(_ code: KafkaErrorCode, topic: String) -> KafkaError {
        let error = KafkaError(kind: .delivery, code: code, message: "delivery to \(topic) failed: \(code.message)")
        counters.failed.add(1, ordering: .relaxed)
        logger.warning("A fire-and-forget message was not delivered", metadata: ["topic": "\(topic)", "error": "\(error)"])
        return error
    }

    deinit {
        observerKind.load(ordering: .acquiring)?.release()
    }

    func error(code: Int32, reason: String) {
        logger.warning("librdkafka producer error", metadata: ["code": "\(KafkaErrorCode(rawValue: code))", "reason": "\(reason)"])
    }
}
