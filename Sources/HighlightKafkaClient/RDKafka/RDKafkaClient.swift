package import CRDKafka

/// Owns one `rd_kafka_t`.
///
/// `@unchecked Sendable` is safe here: the stored state is the immutable handle pointer, whose `rd_kafka_*` calls
/// librdkafka documents as thread-safe, and `Sendable` objects (the callback owner, the topic handles behind their own
/// lock). `rd_kafka_destroy` runs only in `deinit`, when no other reference, and so no other thread, can use the
/// handle; the topic handles are destroyed just before it.
package final class RDKafkaClient: @unchecked Sendable {
    /// The `rd_kafka_t *`.
    package let handle: OpaquePointer
    /// The object librdkafka's callbacks reach through the configuration's opaque pointer: kept alive exactly as
    /// long as the handle.
    private let callbackOwner: (any AnyObject & Sendable)?
    /// Topic handles for storing single offsets (see ``storeOffset(topic:partition:offset:)``).
    let topicHandles = RDKafkaTopicHandles()

    /// Creates a client of `type` from `conf`, which it takes over (also on failure).
    package init(type: rd_kafka_type_t, conf: OpaquePointer, callbackOwner: (any AnyObject & Sendable)? = nil) throws(KafkaError) {
        self.callbackOwner = callbackOwner
        var errorText = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(
                kind: .configuration,
                code: .invalidArgument,
                message: "librdkafka could not create the client: \(String(nulTerminated: errorText))",
                isRetriable: false
            )
        }
        self.handle = handle
    }

    deinit {
        topicHandles.destroyAll()
        rd_kafka_destroy(handle)
    }

    /// The fatal error librdkafka raised on this client, if any.
    package var fatalError: KafkaError? { Self.fatalError(of: handle) }

    /// The fatal error librdkafka raised on the client `handle`, if any.
    static func fatalError(of handle: OpaquePointer) -> KafkaError? {
        var text = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &text, text.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(kind: .broker, code: KafkaErrorCode(code), message: String(nulTerminated: text), isFatal: true)
    }

    /// librdkafka's version string, such as `2.0.2`.
    package static var libraryVersion: String { String(cString: rd_kafka_version_str()) }
}
