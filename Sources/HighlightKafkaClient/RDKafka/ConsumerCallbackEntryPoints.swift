import CRDKafka

/// The C entry points librdkafka calls for a consumer; each finds its ``ConsumerCallbacks`` through the opaque pointer
/// and hands it plain Swift values.
enum ConsumerCallbackEntryPoints {
    /// Points `conf`'s callbacks at `callbacks` (which must outlive the client made from `conf`). Rebalance and commit
    /// callbacks are set only for a group member.
    static func install(on conf: OpaquePointer, callbacks: ConsumerCallbacks, groupMember: Bool) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(callbacks).toOpaque())
        rd_kafka_conf_set_error_cb(conf, error)
        if groupMember {
            rd_kafka_conf_set_rebalance_cb(conf, rebalance)
            rd_kafka_conf_set_offset_commit_cb(conf, offsetCommit)
        }
    }

    static let rebalance:
        @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
            handle, code, partitions, opaque in
            guard let handle, let partitions, let opaque else { return }
            Unmanaged<ConsumerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
                .rebalance(RDKafkaRebalance(handle: handle, code: code, partitions: partitions))
        }

    static let offsetCommit:
        @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
            _, code, offsets, opaque in
            guard let opaque else { return }
            let entries = offsets.map { RDKafkaTopicPartitionList.read($0) } ?? []
            Unmanaged<ConsumerCallbacks>.fromOpaque(opaque).takeUnretainedValue().committed(KafkaErrorCode(code), entries)
        }

    static let error: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        handle, code, reason, opaque in
        guard let opaque else { return }
        var error = KafkaError(kind: .broker, code: KafkaErrorCode(rawValue: code), message: reason.map { String(cString: $0) } ?? "")
        if error.code == .fatal, let handle { error = RDKafkaClient.fatalError(of: handle) ?? error }
        Unmanaged<ConsumerCallbacks>.fromOpaque(opaque).takeUnretainedValue().report(error)
    }
}
