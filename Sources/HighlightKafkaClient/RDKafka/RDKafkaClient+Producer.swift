import CRDKafka

/// The producer's calls into librdkafka. Blocking ones (poll, flush) are marked so; callers run them on a thread of
/// their own.
extension RDKafkaClient {
    /// What one attempt to queue a message did.
    enum ProduceOutcome {
        case queued
        case queueFull
        case failed(KafkaError)
    }

    /// A producer client whose delivery reports and errors reach `callbacks`.
    static func producer(properties: [(String, String)], callbacks: ProducerCallbacks) throws(KafkaError) -> RDKafkaClient {
        let conf = try RDKafkaConfiguration.make(properties)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(callbacks).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf, ProducerCallbackEntryPoints.delivery)
        rd_kafka_conf_set_error_cb(conf, ProducerCallbackEntryPoints.error)
        let client = try RDKafkaClient(type: RD_KAFKA_PRODUCER, conf: conf, callbackOwner: callbacks)
        // A wake-up whenever reports arrive, so the poll thread can wait outside librdkafka and a sender can serve in
        // between (see DeliveryReportServing). `callbacks`, and with it the wake-up's target, lives as long as the
        // client's handle.
        let reportQueue = rd_kafka_queue_get_main(client.handle)
        rd_kafka_queue_cb_event_enable(reportQueue, ProducerCallbackEntryPoints.reportsArrived, Unmanaged.passUnretained(callbacks.serving).toOpaque())
        rd_kafka_queue_destroy(reportQueue)
        return client
    }

    /// Blocking. Serves delivery reports, waiting at most `timeoutMilliseconds` for one; how many were served.
    func poll(timeoutMilliseconds: Int32) -> Int {
        Int(rd_kafka_poll(handle, timeoutMilliseconds))
    }

    /// Blocking. Waits until every queued message is delivered or failed; `nil`, or the code of the time-out.
    func flush(timeoutMilliseconds: Int32) -> KafkaErrorCode? {
        let result = rd_kafka_flush(handle, timeoutMilliseconds)
        return result == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaErrorCode(result)
    }

    /// Messages queued or in flight.
    var outstandingMessages: Int { Int(rd_kafka_outq_len(handle)) }

    /// Fails every message still queued or in flight (their reports are served by the next poll or flush).
    func purgeAll() {
        rd_kafka_purge(handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
    }

    /// Queues `record` (copied), with what `writer` writes among its headers, and `opaque` as its delivery report's
    /// context.
    func produce<Writer: KafkaHeaderWriter>(_ record: KafkaProducerRecord, writer: Writer, opaque: UnsafeMutableRawPointer) -> ProduceOutcome {
        // The message owns the header list only when produce succeeds (librdkafka issue 4627): destroy it otherwise.
        let headers = RDKafkaHeaders.make(record.headers, writer: writer)
        let error: OpaquePointer? = record.topic.withCString { topic in
            withOptionalBytes(record.key) { key in
                withOptionalBytes(record.value) { value in
                    // On the stack: this runs for every message.
                    withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 8) { fields in
                        var count = 0
                        func add(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
                            fields.initializeElement(at: count, to: rd_kafka_vu_t())
                            fields[count].vtype = type
                            set(&fields[count])
                            count += 1
                        }
                        func memory(_ bytes: UnsafeRawBufferPointer) -> (UnsafeMutableRawPointer, Int) {
                            (UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(emptyValue)), bytes.count)
                        }
                        add(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
                        add(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = record.partition ?? -1 }
                        add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                        add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
                        if let value { add(RD_KAFKA_VTYPE_VALUE) { ($0.u.mem.ptr, $0.u.mem.size) = memory(value) } }
                        if let key { add(RD_KAFKA_VTYPE_KEY) { ($0.u.mem.ptr, $0.u.mem.size) = memory(key) } }
                        if let headers { add(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers } }
                        if let timestamp = record.timestampMilliseconds { add(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp } }
                        return rd_kafka_produceva(handle, fields.baseAddress, count)
                    }
                }
            }
        }
        guard let error else { return .queued }
        if let headers { rd_kafka_headers_destroy(headers) }
        if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
            rd_kafka_error_destroy(error)
            return .queueFull
        }
        return .failed(KafkaError.consuming(error, kind: .delivery))
    }
}

/// Calls `body` with the bytes of `bytes`, or with `nil` when there are none (a null key or a tombstone).
private func withOptionalBytes<Result>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> Result) -> Result {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
