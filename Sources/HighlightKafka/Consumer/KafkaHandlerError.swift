public import HighlightKafkaClient
public import Instrumentation

/// One failed run of a traced handler, as handed to ``TracedKafkaConsumer/Configuration/errorReporter``.
public struct KafkaHandlerFailure: Sendable {
    /// What the handler threw.
    public let error: any Error
    /// The message it was handling.
    public let message: KafkaConsumerMessage
    /// Which attempt failed (1-based).
    public let attempt: Int
    /// The context the handler ran in (the `process` span's), holding the message's session.
    public let context: ServiceContext
}

/// Thrown by ``TracedKafkaConsumer/run(_:)`` when the error policy stops the consumer.
public struct KafkaHandlerError: Error, CustomStringConvertible {
    /// What the handler threw last.
    public let underlying: any Error
    /// The message that could not be handled; it was not committed and is read again on the next start.
    public let message: KafkaConsumerMessage
    /// How many times the handler ran on it.
    public let attempts: Int

    /// The failure, the message it happened on and the attempts made, for logs.
    public var description: String {
        "handling \(message.topic)[\(message.partition)]@\(message.offset) failed after \(attempts) attempt(s): \(underlying)"
    }
}
