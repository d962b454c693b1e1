import CRDKafka

/// One rebalance librdkafka is serving (inside its rebalance callback, on the consumer's poll thread): what happens,
/// to which partitions, and the calls that complete it. Valid only during the callback.
struct RDKafkaRebalance {
    enum Change {
        case assign
        case revoke
        case failed(KafkaError)
    }

    private let handle: OpaquePointer
    private let list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    let change: Change
    /// Whether the group uses the cooperative protocol (partitions move one by one) rather than the eager one.
    let isCooperative: Bool

    init(handle: OpaquePointer, code: rd_kafka_resp_err_t, partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.handle = handle
        self.list = partitions
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS: change = .assign
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS: change = .revoke
        default: change = .failed(KafkaError.from(code, kind: .consumer, context: "rebalance failed"))
        }
        // NULL when the group has no protocol (yet, or any more: the consumer is leaving it).
        let protocolName: UnsafePointer<CChar>? = rd_kafka_rebalance_protocol(handle)
        isCooperative = protocolName.map { String(cString: $0) } == "COOPERATIVE"
    }

    /// The partitions that move.
    var partitions: [KafkaTopicPartition] {
        RDKafkaTopicPartitionList.read(list).map(\.position.topicPartition)
    }

    /// Takes the partitions (incrementally under the cooperative protocol).
    func assign() -> KafkaError? {
        if isCooperative {
            return rd_kafka_incremental_assign(handle, list).map { KafkaError.consuming($0, kind: .consumer) }
        }
        let result = rd_kafka_assign(handle, list)
        return result == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.from(result, kind: .consumer, context: "assign")
    }

    /// Lets the partitions go (all of them under the eager protocol).
    func unassign() -> KafkaError? {
        if isCooperative {
            return rd_kafka_incremental_unassign(handle, list).map { KafkaError.consuming($0, kind: .consumer) }
        }
        _ = rd_kafka_assign(handle, nil)
        return nil
    }

    /// Whether the consumer holds any partition (librdkafka's current assignment is not empty).
    private var holdsAssignment: Bool {
        var current: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(handle, &current) == RD_KAFKA_RESP_ERR_NO_ERROR, let current else { return false }
        defer { rd_kafka_topic_partition_list_destroy(current) }
        return current.pointee.cnt > 0
    }

    /// After a failed rebalance: drops the whole assignment, as librdkafka asks.
    func dropAssignment() {
        _ = rd_kafka_assign(handle, nil)
    }

    /// Commits the stored offsets and waits for the broker; `nil` also when nothing was stored, and when the consumer
    /// holds no partitions any more (a revocation served after leaving the group had cleared the assignment: see
    /// `RDKafkaClient.serveQueuedEvents()`; such a commit has nothing to commit and, reaching a group that has
    /// terminated, aborts librdkafka 2.0.2).
    func commitStoredOffsets() -> KafkaError? {
        guard holdsAssignment else { return nil }
        let result = rd_kafka_commit(handle, nil, 0)
        guard result != RD_KAFKA_RESP_ERR_NO_ERROR && result != RD_KAFKA_RESP_ERR__NO_OFFSET else { return nil }
        return KafkaError.from(result, kind: .commit, context: "commit before revocation")
    }
}
