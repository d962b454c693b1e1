public import HighlightKafkaClient

/// The headers a dead-lettered message gets on top of its own.
public enum DeadLetterHeader {
    /// The Swift type of the error, such as `MyApp.ValidationError`.
    public static let errorType = "x-error-type"
    /// The error's description.
    public static let errorMessage = "x-error-message"
    /// The topic the message was read from.
    public static let originalTopic = "x-original-topic"
    /// Its partition there.
    public static let originalPartition = "x-original-partition"
    /// Its offset there.
    public static let originalOffset = "x-original-offset"
    /// How many times the handler ran on it.
    public static let attempts = "x-attempts"

    /// The record to send to `topic` for `message`, which failed with `error`: the original key, value and headers
    /// (context included), then the error and origin headers.
    ///
    /// - Parameters:
    ///   - message: the message that failed.
    ///   - error: the last attempt's error; its type and description become headers.
    ///   - attempts: how many attempts were made.
    ///   - topic: the dead-letter topic.
    /// - Returns: the record to send.
    public static func record(for message: KafkaConsumerMessage, error: any Error, attempts: Int, topic: String) -> KafkaProducerRecord {
        var headers = message.headers
        headers.append(KafkaHeader(name: errorType, string: String(reflecting: type(of: error))))
        headers.append(KafkaHeader(name: errorMessage, string: String(describing: error)))
        headers.append(KafkaHeader(name: originalTopic, string: message.topic))
        headers.append(KafkaHeader(name: originalPartition, string: "\(message.partition)"))
        headers.append(KafkaHeader(name: originalOffset, string: "\(message.offset)"))
        headers.append(KafkaHeader(name: DeadLetterHeader.attempts, string: "\(attempts)"))
        return KafkaProducerRecord(topic: topic, key: message.key, value: message.value, headers: headers)
    }
}
