/// The messages of a ``KafkaConsumer``, in order per partition. The sequence ends when the consumer shuts down.
///
/// ```swift
/// for await message in consumer.messages {
///     try await process(message)
///     try consumer.storeOffset(for: message)  // committed by the next commit
/// }
/// ```
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerMessage
    public typealias Failure = Never

    let buffer: MessageBuffer<KafkaConsumerMessage>

    /// Iterates the messages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: MessageBuffer<KafkaConsumerMessage>

        /// The next message, or `nil` after shutdown.
        public mutating func next() async -> KafkaConsumerMessage? {
            await buffer.next()
        }

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

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer)
    }
}
