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

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer)
    }
}
