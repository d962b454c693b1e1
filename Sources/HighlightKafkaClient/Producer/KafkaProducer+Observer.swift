/// Sends for a layer above the producer (the traced producer): headers written straight into the message, and an
/// observer told of the outcome in place of a closure.
extension KafkaProducer {
    /// Queues a record like ``sendAndForget(_:onDelivery:)`` with the headers `writer` writes added to the record's as
    /// the message is queued (replacing the record's of the same names; copied once, from the writer's bytes into the
    /// message), and tells `observer` its outcome, with no closure per message (see ``KafkaDeliveryObserver``).
    ///
    /// With the report stream off (``KafkaProducerConfiguration/deliveryReportBufferSize`` 0), the observer itself
    /// rides with the message and nothing else is made for it (for the first observer type this producer is given).
    ///
    /// - Parameters:
    ///   - record: the topic, key, value, headers and, optionally, partition.
    ///   - writer: writes the extra headers.
    ///   - observer: told once of the outcome, where `onDelivery` would be; not told when this call throws.
    /// - Returns: the message's id, which its delivery report carries.
    /// - Throws: ``KafkaError`` when the record cannot be queued.
    @discardableResult
    package nonisolated(nonsending) func sendAndForget<Writer: KafkaHeaderWriter, Observer: KafkaDeliveryObserver>(
        _ record: KafkaProducerRecord,
        headers writer: Writer,
        observer: Observer
    ) async throws(KafkaError) -> UInt64 {
        let id = reserveMessageID()
        let context: DeliveryContext = callbacks.carriesDirectly(Observer.self)
            ? .observer(observer)
            : .pending(PendingDelivery(id: id, topic: record.topic, forgotten: true, observer: observer))
        try await enqueue(record, headers: writer, context: context)
        return id
    }

    /// The same with no headers added.
    @discardableResult
    package nonisolated(nonsending) func sendAndForget<Observer: KafkaDeliveryObserver>(_ record: KafkaProducerRecord, observer: Observer) async throws(KafkaError) -> UInt64 {
        try await sendAndForget(record, headers: NoHeaderWriter(), observer: observer)
    }

    /// The same with no observer: the headers `writer` writes are added as the message is queued. With the report
    /// stream off nothing is made for the send (it is only counted).
    @discardableResult
    package nonisolated(nonsending) func sendAndForget<Writer: KafkaHeaderWriter>(_ record: KafkaProducerRecord, headers writer: Writer) async throws(KafkaError) -> UInt64 {
        let id = reserveMessageID()
        try await enqueue(record, headers: writer, context: callbacks.forgottenContext(id: id, topic: record.topic))
        return id
    }
}
