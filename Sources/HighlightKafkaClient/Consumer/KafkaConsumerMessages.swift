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

    let buffer: MessageBuffer<RDKafkaFetchedMessage>
    /// Kept alive while messages may still be copied out of it.
    let client: RDKafkaClient

    /// Iterates the messages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: MessageBuffer<RDKafkaFetchedMessage>
        let client: RDKafkaClient
        var topicNames = RDKafkaTopicNames()

        /// The next message, or `nil` after shutdown.
        public mutating func next() async -> KafkaConsumerMessage? {
            await buffer.next()?.copy(topicNames: &topicNames)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> KafkaConsumerMessage? {
            await buffer.next()?.copy(topicNames: &topicNames)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer, client: client)
    }
}
