import Logging
import Synchronization
import HighlightSynchronization

extension KafkaConsumer {
    /// Marks `message` as processed: its offset is committed by the next commit (yours, ``run(_:)``'s, auto-commit's,
    /// the one before a revocation, or the one at shutdown).
    ///
    /// - Parameter message: a message this consumer read.
    /// - Throws: ``KafkaError`` when the partition is no longer assigned to this consumer (it was revoked: the message
    ///   will be read again by its new owner), or when the consumer is closed.
    public func storeOffset(for message: KafkaConsumerMessage) throws(KafkaError) {
        try ensureOpen()
        try client.storeOffset(topic: message.topic, partition: message.partition, offset: message.offset)
    }

    /// Marks positions as processed (the offset is that of the next message to read).
    ///
    /// - Parameter positions: for each partition, the offset of the next message to read.
    /// - Throws: ``KafkaError`` when a partition is no longer assigned to this consumer, or the consumer is closed.
    public func store(_ positions: [KafkaTopicPartitionOffset]) throws(KafkaError) {
        try ensureOpen()
        try client.storeOffsets(positions)
    }

    /// Commits `message` as processed and waits for the broker.
    ///
    /// - Parameter message: a message this consumer read; its next offset is committed.
    /// - Throws: ``KafkaError`` when the broker refuses the commit (a rebalance in progress, the partition revoked) or
    ///   the consumer is closed.
    public func commit(_ message: KafkaConsumerMessage) async throws(KafkaError) {
        try await commit([message.nextPosition])
    }

    /// Commits positions (the offset of the next message to read) and waits for the broker.
    ///
    /// - Parameter positions: for each partition, the offset of the next message to read.
    /// - Throws: ``KafkaError`` when the broker refuses the commit or the consumer is closed.
    public func commit(_ positions: [KafkaTopicPartitionOffset]) async throws(KafkaError) {
        try ensureOpen()
        let client = self.client
        let outcome: Result<Void, KafkaError> = await runBlocking {
            Result { () throws(KafkaError) in try client.commit(positions, async: false) }
        }
        try outcome.get()
    }

    /// Commits `message` without waiting; the outcome arrives on ``events``.
    ///
    /// - Parameter message: a message this consumer read; its next offset is committed.
    /// - Throws: ``KafkaError`` when the commit cannot be queued (the consumer is closed).
    public func commitAsync(_ message: KafkaConsumerMessage) throws(KafkaError) {
        try ensureOpen()
        try client.commit([message.nextPosition], async: true)
    }

    /// Commits every stored offset and waits for the broker; does nothing when nothing new was stored.
    ///
    /// - Throws: ``KafkaError`` when the broker refuses the commit or the consumer is closed.
    public func commitStoredOffsets() async throws(KafkaError) {
        try ensureOpen()
        try await commitStored()
    }

    /// Commits every stored offset without waiting; the outcome arrives on ``events``.
    ///
    /// - Throws: ``KafkaError`` when the commit cannot be queued (the consumer is closed).
    public func commitStoredOffsetsAsync() throws(KafkaError) {
        try ensureOpen()
        try client.commitStoredOffsets(async: true, context: "commit")
    }

    /// The offsets the group has committed for these partitions (`KafkaTopicPartitionOffset.stored` when none).
    ///
    /// - Parameters:
    ///   - partitions: the partitions to ask about.
    ///   - timeout: how long to wait for the group coordinator.
    /// - Returns: one position per partition, in the order given.
    /// - Throws: ``KafkaError`` when the coordinator does not answer within `timeout`.
    public func committedOffsets(for partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)) async throws(KafkaError) -> [KafkaTopicPartitionOffset] {
        let client = self.client
        let positions = partitions.map { KafkaTopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: KafkaTopicPartitionOffset.stored) }
        let milliseconds = Int32(clamping: timeout.milliseconds)
        let outcome: Result<[KafkaTopicPartitionOffset], KafkaError> = await runBlocking {
            Result { () throws(KafkaError) in try client.committedOffsets(positions, timeoutMilliseconds: milliseconds) }
        }
        return try outcome.get()
    }

    /// The final commit: a retriable refusal (a rebalance in progress, a coordinator moving) is retried every
    /// 100 ms for at most `budget`, since a failure here means handled messages are read again after a restart.
    func commitStoredRetrying(for budget: Duration) async {
        let deadline = ContinuousClock.now + budget
        while true {
            do {
                try await commitStored(servingQueuedEvents: true)
                return
            } catch {
                guard error.isRetriable, !Task.isCancelled, ContinuousClock.now < deadline else {
                    logger.error("Shutdown: committing processed offsets failed; they will be read again", metadata: ["error": "\(error)"])
                    return
                }
                logger.debug("Shutdown: the final commit was refused; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// - Parameter servingQueuedEvents: at shutdown, once the poll thread has stopped: a revocation waiting in the
    ///   queue is served first (its group's rebalance waits for it, and commits are refused until it is over).
    private func commitStored(servingQueuedEvents: Bool = false) async throws(KafkaError) {
        let client = self.client
        let outcome: Result<Void, KafkaError> = await runBlocking {
            if servingQueuedEvents { client.serveQueuedEvents() }
            return Result { () throws(KafkaError) in try client.commitStoredOffsets(async: false, context: "commit of processed offsets") }
        }
        try outcome.get()
    }

    func ensureOpen() throws(KafkaError) {
        if lifecycle.withLock({ $0.closed }) { throw KafkaError.closed("consumer") }
    }
}
