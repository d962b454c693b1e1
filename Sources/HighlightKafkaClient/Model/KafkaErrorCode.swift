/// A librdkafka error code: negative values are raised by the client, positive ones come
/// from the broker.
///
/// ```swift
/// if error.code == .messageTimedOut { /* the broker was unreachable for message.timeout.ms */ }
/// ```
public struct KafkaErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// librdkafka's numeric code.
    public let rawValue: Int32

    /// Creates a code from librdkafka's numeric value.
    ///
    /// - Parameter rawValue: librdkafka's numeric error code (its C response-error enum).
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `name (rawValue)`.
    public var description: String { "\(name) (\(rawValue))" }
}
