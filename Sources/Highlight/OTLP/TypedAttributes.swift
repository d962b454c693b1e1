import HighlightPropagation
import HighlightTracing
import Tracing

/// The attributes a span of this package's tracer keeps in typed fields, OpenTelemetry's messaging attributes and
/// highlight's session, in the order they are exported, made one at a time as they are written: no list of keys and
/// values per span. A span with no attributes of its own (every Kafka span) is written straight from these.
///
/// One pass over the fields, not an iterator: an iterator that unwrapped the messaging fields at each of its fifteen
/// steps copied them (seven references retained and released) fifteen times a span, which was a third of the
/// exporter's encoding time.
enum TypedAttributes {
    /// A value: every typed attribute is a string or an integer.
    enum Value {
        case string(String)
        /// A slice of a longer string (the session's ids, from their `x-highlight-request` value): written without
        /// a `String` of its own, which for a 28-byte session id was an allocation per span.
        case slice(Substring)
        case int(Int64)
        /// Bytes known to be valid UTF-8 (an ASCII message key): written as they are, without a `String` made and
        /// validated for them (about a fifth of a Kafka span's own attributes' encoding time).
        case utf8([UInt8])

        /// A message key as a string value; `nil` when it is not valid UTF-8.
        init?(key: [UInt8]) {
            if key.allSatisfy({ $0 < 0x80 }) {
                self = .utf8(key)
            } else if let string = String(validating: key, as: UTF8.self) {
                self = .string(string)
            } else {
                return nil
            }
        }

        var spanAttribute: SpanAttribute {
            switch self {
            case .string(let value): .string(value)
            case .slice(let value): .string(String(value))
            case .int(let value): .int64(value)
            case .utf8(let value): .string(String(decoding: value, as: UTF8.self))
            }
        }

        /// `AnyValue`'s `string_value = 1` or `int_value = 3`.
        func write<Writer: OTLPWriter>(into writer: inout Writer) {
            switch self {
            case .string(let value): writer.oneofString(1, "stringValue", value)
            case .slice(let value): writer.oneofString(1, "stringValue", value)
            case .int(let value): writer.oneofInt64(3, "intValue", value)
            case .utf8(let value): writer.oneofString(1, "stringValue", utf8: value)
            }
        }
    }

    /// The most a span has: a span attribute limit at least this large never drops one of them.
    static let maximumCount = 15

    /// Calls `body` with each attribute a span with `fields` and `session` has: the endpoint's
    /// (``forEachShared(messaging:_:)``), the message's (``forEachOwn(messaging:_:)``) and the session's
    /// (``forEachSession(_:_:)``).
    static func forEach(
        messaging fields: borrowing MessagingFields?,
        session: HighlightRequestContext?,
        _ body: (_ key: String, _ value: Value) -> Void
    ) {
        forEachShared(messaging: fields, body)
        forEachOwn(messaging: fields, body)
        forEachSession(session, body)
    }

    /// What the attributes of ``forEachShared(messaging:_:)`` depend on: the identity of the fields' endpoint, the same
    /// for every span of a client on a topic; `nil` without fields.
    static func sharedKey(messaging fields: borrowing MessagingFields?) -> ObjectIdentifier? {
        switch fields {
        case .none: nil
        case .some(let messaging): ObjectIdentifier(messaging.endpoint)
        }
    }

    /// Calls `body` with the attributes every span of the fields' endpoint has alike: the system, topic, operation,
    /// client, server and group.
    ///
    /// The fields are read where they are, in the span's recorded state: a copy retained and released the shared
    /// endpoint (every span of a topic holds it, and the worker threads retain it as they start spans, so each of
    /// its reference count's changes here waited for that cache line) and the key, for every span exported.
    static func forEachShared(messaging fields: borrowing MessagingFields?, _ body: (_ key: String, _ value: Value) -> Void) {
        switch fields {
        case .none: break
        case .some(let messaging):
            body("messaging.system", .string("kafka"))
            body("messaging.destination.name", .string(messaging.destination))
            // Read once for both keys: each read of a field of the endpoint, which lives in another module, is a call
            // that returns a retained string.
            let operation = messaging.operationType
            body("messaging.operation.type", .string(operation))
            body("messaging.operation.name", .string(operation))
            body("messaging.client.id", .string(messaging.clientID))
            if let address = messaging.serverAddress { body("server.address", .string(address)) }
            if let group = messaging.consumerGroup { body("messaging.consumer.group.name", .string(group)) }
        }
    }

    /// Calls `body` with the attributes of this span's message.
    static func forEachOwn(messaging fields: borrowing MessagingFields?, _ body: (_ key: String, _ value: Value) -> Void) {
        switch fields {
        case .none: break
        case .some(let messaging):
            if let partition = messaging.partition { body("messaging.destination.partition.id", .string(String(partition))) }
            if let offset = messaging.offset { body("messaging.kafka.offset", .int(offset)) }
            if let size = messaging.bodySize { body("messaging.message.body.size", .int(Int64(size))) }
            if let key = messaging.key.flatMap(Value.init(key:)) { body("messaging.kafka.message.key", key) }
            if let count = messaging.batchCount { body("messaging.batch.message_count", .int(Int64(count))) }
            if let attempt = messaging.attempt, attempt > 1 { body("highlight.kafka.attempt", .int(Int64(attempt))) }
        }
    }

    /// Calls `body` with the session's attributes, `highlight.session_id` and `highlight.trace_id`: the same for
    /// every span started in the same propagated values.
    static func forEachSession(_ session: HighlightRequestContext?, _ body: (_ key: String, _ value: Value) -> Void) {
        if let session {
            body(HighlightAttribute.sessionID, .slice(session.sessionSecureIDSlice))
            if let requestID = session.requestIDSlice { body(HighlightAttribute.traceID, .slice(requestID)) }
        }
    }
}
