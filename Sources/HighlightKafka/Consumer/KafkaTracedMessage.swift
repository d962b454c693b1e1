public import HighlightKafkaClient
public import HighlightPropagation
public import Instrumentation

/// A consumed message with the context it carried: what a traced handler receives.
///
/// ```swift
/// try await consumer.run { traced in
///     // ServiceContext.current is already this message's context here.
///     print(traced.highlightRequest?.sessionSecureID ?? "no session", traced.attempt)
/// }
/// ```
public struct KafkaTracedMessage: Sendable {
    /// The message.
    public let message: KafkaConsumerMessage
    /// The context extracted from its headers (session, baggage, trace), before any span was started. Made on each
    /// read (the consumer starts the message's span without it).
    public var extractedContext: ServiceContext { extracted.context }
    /// The context the handler runs in: the `process` span's context (which also holds the extracted session).
    public let context: ServiceContext
    /// 1 for the first run of the handler on this message, 2 for the first retry, and so on.
    public let attempt: Int

    /// The session the message was produced under, if any.
    public var highlightRequest: HighlightRequestContext? { extracted.highlightRequest }

    private let extracted: ExtractedContext

    init(message: KafkaConsumerMessage, extracted: ExtractedContext, context: ServiceContext, attempt: Int) {
        self.message = message
        self.extracted = extracted
        self.context = context
        self.attempt = attempt
    }

    /// Runs `body` inside this message's context: how a batch handler treats each message under its own session.
    ///
    /// - Parameter body: the work to run in the message's context.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws.
    public func withContext<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        try await ServiceContext.withValue(context) { try await body() }
    }
}
