/// Every error this package's Kafka clients raise: what failed, librdkafka's code and message, and whether trying
/// again can help.
///
/// ```swift
/// do {
///     try await producer.send(record)
/// } catch let error as KafkaError where error.isRetriable {
///     // the broker was unreachable or busy: retry later
/// }
/// ```
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The operation that failed.
    public enum Kind: String, Sendable, Hashable {
        /// A configuration property was unknown or invalid; ``property`` names it.
        case configuration
        /// A message was not delivered.
        case delivery
        /// Consuming failed (fetch, subscription, assignment).
        case consumer
        /// Committing offsets failed.
        case commit
        /// A broker or connection level error reported by librdkafka.
        case broker
        /// The client was already shut down.
        case closed
        /// An argument the caller passed is not valid.
        case invalidArgument
        /// Creating or driving the mock cluster failed.
        case mockCluster
        /// A topic administration request failed.
        case administration
    }

    /// The operation that failed.
    public var kind: Kind
    /// librdkafka's code.
    public var code: KafkaErrorCode
    /// What happened and, where we know, what to do next.
    public var message: String
    /// For ``Kind/configuration``: the property that was refused.
    public var property: String?
    /// Whether the same operation may succeed later without changes.
    public var isRetriable: Bool
    /// Whether the client instance is unusable and must be recreated.
    public var isFatal: Bool

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - kind: the operation that failed.
    ///   - code: librdkafka's code.
    ///   - message: what happened and what to do next.
    ///   - property: for a configuration error, the property refused.
    ///   - isRetriable: whether trying again may succeed; `nil` decides from `code`.
    ///   - isFatal: whether the client must be recreated (always for `KafkaErrorCode.fatal`).
    public init(
        kind: Kind,
        code: KafkaErrorCode,
        message: String,
        property: String? = nil,
        isRetriable: Bool? = nil,
        isFatal: Bool = false
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.property = property
        self.isRetriable = isRetriable ?? KafkaErrorCode.retriable.contains(code)
        self.isFatal = isFatal || code == .fatal
    }

    /// librdkafka's name for ``code``.
    public var name: String { code.name }

    /// One line: kind, code name, message.
    public var description: String {
        var text = "KafkaError.\(kind.rawValue) \(code.name)"
        if let property { text += " [\(property)]" }
        text += ": \(message)"
        if isFatal { text += " (fatal: recreate the client)" } else if isRetriable { text += " (retriable)" }
        return text
    }

    static func closed(_ what: String) -> KafkaError {
        KafkaError(
            kind: .closed,
            code: .state,
            message: "the \(what) was shut down; create a new one",
            isRetriable: false
        )
    }

    /// A send whose task was cancelled while it waited for room in librdkafka's local queue: the message was not
    /// queued (and never will be by this call).
    static func cancelledWaitingForRoom(_ topic: String) -> KafkaError {
        KafkaError(
            kind: .delivery,
            code: .queueFull,
            message: "the send to \(topic) was cancelled while the local queue was full; the message was not queued",
            isRetriable: true
        )
    }
}
