import CRDKafka

/// The consumer's calls into librdkafka. Blocking ones (commits that wait for the broker, reading committed
/// offsets, closing) are marked so; callers run them on a thread of their own.
extension RDKafkaClient {
    /// A consumer client whose callbacks reach `callbacks`, with the fetch thresholds librdkafka will use
    /// (`queued.min.messages`, and `queued.max.messages.kbytes` in bytes), defaults included.
    static func consumer(
        properties: [(String, String)],
        callbacks: ConsumerCallbacks,
        groupMember: Bool
    ) throws(KafkaError) -> (client: RDKafkaClient, fetchThresholds: (messages: Int, bytes: Int)) {
        let conf = try RDKafkaConfiguration.make(properties)
        ConsumerCallbackEntryPoints.install(on: conf, callbacks: callbacks, groupMember: groupMember)
        let thresholds = (
            messages: RDKafkaConfiguration.integer("queued.min.messages", in: conf) ?? 100_000,
            bytes: (RDKafkaConfiguration.integer("queued.max.messages.kbytes", in: conf) ?? 65_536) * 1024
        )
        let client = try RDKafkaClient(type: RD_KAFKA_CONSUMER, conf: conf, callbackOwner: callbacks)
        // Every event (errors, rebalances, commits) then arrives on the queue the poll thread serves.
        rd_kafka_poll_set_consumer(client.handle)
        return (client, thresholds)
    }

    /// Joins the group's subscription to `topics`.
    func subscribe(_ topics: [String]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList.make(topics: topics)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let result = rd_kafka_subscribe(handle, list)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.from(result, kind: .consumer, context: "subscribing to \(topics)")
        }
    }

    /// Blocking. Assigns fixed partitions after asking for their topics' metadata (one request, at most one second).
    /// Assigned before its leader is known, a partition waits a fixed 500 ms in librdkafka before it looks its start
    /// offset up again, so every reader of fixed partitions got its first message half a second late.
    func assignAfterMetadata(_ positions: [KafkaTopicPartitionOffset]) -> KafkaError? {
        // Topic handles make the topics locally known, so one request covers them all.
        let topics = Set(positions.map(\.topicPartition.topic)).compactMap { rd_kafka_topic_new(handle, $0, nil) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        // A failure (broker down, unknown topic) only costs the wait: librdkafka keeps trying after the assignment.
        if rd_kafka_metadata(handle, 0, nil, &metadata, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata {
            rd_kafka_metadata_destroy(metadata)
        }
        topics.forEach { rd_kafka_topic_destroy($0) }
        let list = RDKafkaTopicPartitionList.make(positions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let result = rd_kafka_assign(handle, list)
        return result == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.from(result, kind: .consumer, context: "assigning \(positions)")
    }

    /// Stores one consumed message's offset (the next position is `offset` + 1) through its topic's handle: nothing
    /// is allocated, as this runs for every handled message. Same errors as ``storeOffsets(_:)``.
    func storeOffset(topic: String, partition: Int32, offset: Int64) throws(KafkaError) {
        let next = KafkaTopicPartitionOffset(topic: topic, partition: partition, offset: offset + 1)
        guard let topicHandle = topicHandles.handle(for: topic, client: handle) else { return try storeOffsets([next]) }
        let result = rd_kafka_offset_store(topicHandle, partition, offset)
        guard result != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        throw Self.storeError(KafkaErrorCode(result), next.description)
    }

    private static func storeError(_ code: KafkaErrorCode, _ position: String) -> KafkaError {
        KafkaError(
            kind: .commit,
            code: code,
            message: "cannot store the offset of \(position): \(code.message); "
                + "the partition may have been revoked, in which case its new owner reads the message again"
        )
    }

    /// Marks positions as processed (the offset is that of the next message to read).
    func storeOffsets(_ positions: [KafkaTopicPartitionOffset]) throws(KafkaError) {
        try RDKafkaTopicPartitionList.with(positions) { list throws(KafkaError) in
            let result = rd_kafka_offsets_store(handle, list)
            // The entries are read (their topic names copied) only when something failed: this runs for every
            // handled message.
            let anyFailed = (0..<Int(list.pointee.cnt)).contains { list.pointee.elems[$0].err != RD_KAFKA_RESP_ERR_NO_ERROR }
            guard result != RD_KAFKA_RESP_ERR_NO_ERROR || anyFailed else { return }
            let failure = RDKafkaTopicPartitionList.read(list).first { $0.error != nil }
            throw Self.storeError(failure?.error ?? KafkaErrorCode(result), failure?.position.description ?? "\(positions)")
        }
    }

    /// Commits positions. Blocking unless `async`, in which case the outcome arrives through the commit callback.
    func commit(_ positions: [KafkaTopicPartitionOffset], async: Bool) throws(KafkaError) {
        try RDKafkaTopicPartitionList.with(positions) { list throws(KafkaError) in
            let result = rd_kafka_commit(handle, list, async ? 1 : 0)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(result, kind: .commit, context: "commit") }
            guard !async else { return }
            if let failure = RDKafkaTopicPartitionList.read(list).first(where: { $0.error != nil }), let code = failure.error {
                throw KafkaError(kind: .commit, code: code, message: "commit of \(failure.position) failed: \(code.message)")
            }
        }
    }

    /// Commits every stored offset; nothing stored is no error. Blocking unless `async`.
    func commitStoredOffsets(async: Bool, context: String) throws(KafkaError) {
        let result = rd_kafka_commit(handle, nil, async ? 1 : 0)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR || result == RD_KAFKA_RESP_ERR__NO_OFFSET else {
            throw KafkaError.from(result, kind: .commit, context: context)
        }
    }

    /// Blocking. The offsets the group has committed for these positions' partitions.
    func committedOffsets(_ positions: [KafkaTopicPartitionOffset], timeoutMilliseconds: Int32) throws(KafkaError) -> [KafkaTopicPartitionOffset] {
        try RDKafkaTopicPartitionList.with(positions) { list throws(KafkaError) in
            let result = rd_kafka_committed(handle, list, timeoutMilliseconds)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(result, kind: .commit, context: "reading committed offsets") }
            return RDKafkaTopicPartitionList.read(list).map(\.position)
        }
    }

    /// Serves what is queued for the consumer once its poll thread has stopped: rebalance callbacks run, messages
    /// taken on the way are dropped (never handed out, never stored: they are read again). Without it, a revocation
    /// queued while the consumer shut down waited for `closeConsumer()`, whose leaving the group had by then cleared
    /// the assignment itself. Run that late, in librdkafka 2.0.2, the revocation's commit could reach the group after
    /// it had terminated, which aborts the process (`rd_kafka_cgrp_terminated: assert:
    /// !rd_kafka_assignment_in_progress`), or its query of the group's protocol never got an answer (a hung close).
    ///
    /// Takes at most what was queued when called, plus one batch: fetching goes on meanwhile.
    func serveQueuedEvents() {
        let queue = rd_kafka_queue_get_consumer(handle)
        defer { rd_kafka_queue_destroy(queue) }
        let batch = 256
        var turns = Int(rd_kafka_queue_length(queue)) / batch + 2
        withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<rd_kafka_message_t>?.self, capacity: batch) { slots in
            while turns > 0 {
                turns -= 1
                let count = rd_kafka_consume_batch_queue(queue, 0, slots.baseAddress, batch)
                guard count > 0 else { return }
                for index in 0..<count { slots[index].map { rd_kafka_message_destroy($0) } }
            }
        }
    }

    /// Blocking. Leaves the group, serving the final revocation.
    func closeConsumer() -> KafkaError? {
        let result = rd_kafka_consumer_close(handle)
        return result == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.from(result, kind: .consumer, context: "closing the consumer")
    }

    /// Wakes the brokers leading the assigned partitions with a request that changes nothing (the partitions' latest
    /// offsets, not waited for past 10 ms), so their threads look at the consumer queue again; `false` when nothing
    /// is assigned. Used by ``FetchPauseWaker``.
    func wakeAssignedLeaders() -> Bool {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(handle, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return false }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        guard list.pointee.cnt > 0 else { return false }
        for index in 0..<Int(list.pointee.cnt) { list.pointee.elems[index].offset = KafkaTopicPartitionOffset.end }
        // The requests are queued to every leader's thread before the wait starts; a reply arriving after the 10 ms is
        // dropped by librdkafka (offsets_for_times supports returning on time-out).
        _ = rd_kafka_offsets_for_times(handle, list, 10)
        return true
    }
}
