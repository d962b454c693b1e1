import CRDKafka

/// Builds an `rd_kafka_conf_t` from properties, reporting the first refused property with librdkafka's own message.
package enum RDKafkaConfiguration {
    /// Creates a configuration object; the caller owns it until `rd_kafka_new` takes it.
    package static func make(_ properties: [(String, String)]) throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(kind: .configuration, code: .fatal, message: "librdkafka could not allocate a configuration")
        }
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties {
            let result = rd_kafka_conf_set(conf, name, value, &errorText, errorText.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                let reason = String(nulTerminated: errorText)
                throw KafkaError(
                    kind: .configuration,
                    code: .invalidArgument,
                    message: "librdkafka refused \(name)=\(redacted(name, value)): \(reason)",
                    property: name,
                    isRetriable: false
                )
            }
        }
        return conf
    }

    /// Secrets never appear in error messages.
    static func redacted(_ name: String, _ value: String) -> String {
        let secret = ["password", "secret", "key", "token", "jaas"]
        return secret.contains(where: name.lowercased().contains) ? "<redacted>" : "'\(value)'"
    }
}

extension RDKafkaConfiguration {
    /// The integer value of property `name` in `conf`, librdkafka's default included; `nil` when it has none.
    static func integer(_ name: String, in conf: OpaquePointer) -> Int? {
        var text = [CChar](repeating: 0, count: 32)
        var size = text.count
        guard rd_kafka_conf_get(conf, name, &text, &size) == RD_KAFKA_CONF_OK else { return nil }
        return Int(String(nulTerminated: text))
    }
}
