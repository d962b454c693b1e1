import CRDKafka

extension KafkaError {
    /// Builds an error from a librdkafka `rd_kafka_error_t`, destroying it.
    static func consuming(_ error: OpaquePointer, kind: Kind) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        let code = KafkaErrorCode(rd_kafka_error_code(error))
        return KafkaError(
            kind: kind,
            code: code,
            message: String(cString: rd_kafka_error_string(error)),
            isRetriable: rd_kafka_error_is_retriable(error) != 0 || KafkaErrorCode.retriable.contains(code),
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }

    /// Builds an error from a response code, with librdkafka's text for it.
    static func from(_ code: rd_kafka_resp_err_t, kind: Kind, context: String? = nil) -> KafkaError {
        let code = KafkaErrorCode(code)
        return KafkaError(kind: kind, code: code, message: context.map { "\($0): \(code.message)" } ?? code.message)
    }
}
