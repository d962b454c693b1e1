/// The messages of a ``KafkaConsumer``, in order per partition. The sequence ends when the consumer shuts down.
///
/// ```swift
/// for await message in consumer.messages {
///     try await process(message)
///     try consumer.storeOffset(for: message)  // committed by the next commit
/// }
/// ```
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    /// The sequence gives messages.
    public typealias Element = KafkaConsumerMessage
    /// The sequence never throws: it ends when the consumer shuts down.
    public typealias Failure = Never

    let buffer: MessageBuffer<KafkaConsumerMessage>

    /// Iterates the messages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: MessageBuffer<KafkaConsumerMessage>

        /// The next message, or `nil` after shutdown.
        ///
        /// - Returns: the next message in order for its partition, or `nil` once the consumer has shut down.
        public mutating func next() async -> KafkaConsumerMessage? {
            await buffer.next()
        }

        /// The next message, or `nil` after shutdown, waiting in the caller's isolation.
        ///
        /// - Parameter actor: the isolation the caller waits in.
        /// - Returns: the next message in order for its partition, or `nil` once the consumer has shut down.
        public mutating func next(isolation actor: isolated (any Actor)?) async -> KafkaConsumerMessage? {
            await buffer.next()
        }
    }

    /// Waits for the next message, then takes up to `maximum` messages that are already there, in order (the same
    /// messages the sequence would give, one lock for all of them); empty once the consumer has shut down or the task
    /// is cancelled while it waits.
    package func nextBatch(maximum: Int) async -> [KafkaConsumerMessage] {
        await buffer.nextBatch(maximum: maximum)
    }

    /// The same into `batch` (emptied first, its capacity kept: no allocation per batch); `false` when there is no
    /// more.
    package func nextBatch(into batch: inout [KafkaConsumerMessage], maximum: Int) async -> Bool {
        await buffer.nextBatch(into: &batch, maximum: maximum)
    }

    /// Makes the iterator; iterate from one task at a time.
    ///
    /// - Returns: an iterator over the consumer's messages.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer)
    }
}
