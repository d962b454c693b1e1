import HighlightPropagation
import HighlightTracing
import Tracing

/// The attributes a span of this package's tracer keeps in typed fields, OpenTelemetry's messaging attributes and
/// highlight's session, in the order they are exported, made one at a time as they are written: no list of keys and
/// values per span. A span with no attributes of its own (every Kafka span) is written straight from these.
struct TypedAttributes: Sequence {
    /// A value: every typed attribute is a string or an integer.
    enum Value {
        case string(String)
        case int(Int64)

        var spanAttribute: SpanAttribute {
            switch self {
            case .string(let value): .string(value)
            case .int(let value): .int64(value)
            }
        }

        /// `AnyValue`'s `string_value = 1` or `int_value = 3`.
        func write<Writer: OTLPWriter>(into writer: inout Writer) {
            switch self {
            case .string(let value): writer.oneofString(1, "stringValue", value)
            case .int(let value): writer.oneofInt64(3, "intValue", value)
            }
        }
    }

    let messaging: MessagingFields?
    let session: HighlightRequestContext?

    /// The most a span yields: a span attribute limit at least this large never drops one of them.
    static let maximumCount = Iterator.lastStep + 1

    func makeIterator() -> Iterator { Iterator(messaging: messaging, session: session) }

    struct Iterator: IteratorProtocol {
        let messaging: MessagingFields?
        let session: HighlightRequestContext?
        private var step = 0

        init(messaging: MessagingFields?, session: HighlightRequestContext?) {
            self.messaging = messaging
            self.session = session
        }

        mutating func next() -> (key: String, value: Value)? {
            while step <= Self.lastStep {
                let current = step
                step += 1
                if let entry = entry(current) { return entry }
            }
            return nil
        }

        /// The last of the steps ``entry(_:)`` knows, one attribute each.
        static let lastStep = 14

        /// The attribute at `step`, if the span has it.
        private func entry(_ step: Int) -> (key: String, value: Value)? {
            if step >= 13 {
                guard let session else { return nil }
                if step == 13 { return (HighlightAttribute.sessionID, .string(session.sessionSecureID)) }
                return session.requestID.map { (HighlightAttribute.traceID, .string($0)) }
            }
            guard let messaging else { return nil }
            switch step {
            case 0: return ("messaging.system", .string("kafka"))
            case 1: return ("messaging.destination.name", .string(messaging.destination))
            case 2: return ("messaging.operation.type", .string(messaging.operationType))
            case 3: return ("messaging.operation.name", .string(messaging.operationType))
            case 4: return ("messaging.client.id", .string(messaging.clientID))
            case 5: return messaging.serverAddress.map { ("server.address", .string($0)) }
            case 6: return messaging.consumerGroup.map { ("messaging.consumer.group.name", .string($0)) }
            case 7: return messaging.partition.map { ("messaging.destination.partition.id", .string(String($0))) }
            case 8: return messaging.offset.map { ("messaging.kafka.offset", .int($0)) }
            case 9: return messaging.bodySize.map { ("messaging.message.body.size", .int(Int64($0))) }
            case 10:
                return messaging.key.flatMap { String(validating: $0, as: UTF8.self) }.map { ("messaging.kafka.message.key", .string($0)) }
            case 11: return messaging.batchCount.map { ("messaging.batch.message_count", .int(Int64($0))) }
            default:
                guard let attempt = messaging.attempt, attempt > 1 else { return nil }
                return ("highlight.kafka.attempt", .int(Int64(attempt)))
            }
        }
    }
}
