import CRDKafka
import Foundation
import Synchronization

/// The consumer's poll thread: blocks in librdkafka's batch read and hands the messages to the buffer, so no wait of
/// librdkafka's ever runs on the cooperative pool.
///
/// The loop reads librdkafka's queue and copies messages directly, with the slots and topic-name cache as locals of the
/// thread. Moved behind a queue type of its own (a class, then a noncopyable struct, then with the messages handed
/// over through a closure or an `inout` batch), the plain consumer measured 10 to 25% slower in every variant
/// (`hlkafka bench consume --mode plain`, 8 alternating runs each), so the whole loop lives here, in the wall.
enum ConsumerPollThread {
    static func start(
        client: RDKafkaClient,
        callbacks: ConsumerCallbacks,
        buffer: MessageBuffer<KafkaConsumerMessage>,
        control: PollThreadControl,
        releases: MessageReleaseQueue,
        configuration: KafkaConsumerConfiguration,
        waker: FetchPauseWaker
    ) {
        let thread = Thread {
            var waker = waker
            if case .assignment(let positions, _) = configuration.subscription {
                // A refused assignment is reported on the events and logged.
                if let error = client.assignAfterMetadata(positions) { callbacks.report(error) }
            }
            let queue = rd_kafka_queue_get_consumer(client.handle)
            var slots = [UnsafeMutablePointer<rd_kafka_message_t>?](repeating: nil, count: max(1, configuration.batchSize))
            var batch: [KafkaConsumerMessage] = []
            var topicNames = RDKafkaTopicNames()
            var headerNames = RDKafkaHeaderNames()
            var released: [KafkaConsumerMessage] = []
            /// Takes up to `slots[range]` messages, waiting at most `timeout` ms for them all: copies of the messages
            /// into `batch`, partition EOFs and errors onto the events.
            func take(_ range: Range<Int>, timeout: Int32) -> Bool {
                // Through the whole array's buffer: a mutable slice of it (`slots[range]`) is not uniquely referenced,
                // so it copied the array (8 KB, a large allocation) twice per read.
                let count = slots.withUnsafeMutableBufferPointer { slots in
                    rd_kafka_consume_batch_queue(queue, timeout, slots.baseAddress! + range.lowerBound, range.count)
                }
                if count < 0 {
                    callbacks.report(KafkaError(kind: .consumer, code: .state, message: "consume failed (\(count))"))
                    return false
                }
                // Revocations are served inside the consume call, never while its messages are copied below: one read
                // stamps them all.
                let revocations = callbacks.revocations.load(ordering: .sequentiallyConsistent)
                for index in range.lowerBound..<range.lowerBound + count {
                    guard let message = slots[index] else { continue }
                    defer { rd_kafka_message_destroy(message) }
                    guard message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR else {
                        waker.observe(payloadBytes: message.pointee.len)
                        batch.append(KafkaConsumerMessage(copying: message, revocationsBeforeFetch: revocations, topicNames: &topicNames, headerNames: &headerNames))
                        continue
                    }
                    let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
                    if message.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                        callbacks.events.yield(
                            .partitionEOF(KafkaTopicPartitionOffset(topic: topic, partition: message.pointee.partition, offset: message.pointee.offset))
                        )
                    } else {
                        var context = "consuming"
                        if !topic.isEmpty { context += " \(topic)[\(message.pointee.partition)]" }
                        callbacks.report(KafkaError.from(message.pointee.err, kind: .consumer, context: context))
                    }
                }
                return count == range.count
            }
            polling: while !control.shouldStop {
                // librdkafka's batch read waits until the batch is full or the time is up, so one call for a whole
                // batch held messages back for up to 100 ms whenever fewer were queued. Instead: wait for the first
                // (the 100 ms bound only lets the thread notice a stop request), then take what is already queued.
                batch.removeAll(keepingCapacity: true)
                // The messages handed back since the last turn are released here, on the thread that copied them.
                releases.take(into: &released)
                released.removeAll(keepingCapacity: true)
                if take(0..<1, timeout: 100) && slots.count > 1 { _ = take(1..<slots.count, timeout: 0) }
                if waker.batchTaken(batch.count, leaving: rd_kafka_queue_length(queue), wake: client.wakeAssignedLeaders) {
                    callbacks.fetchWakeUps.add(1, ordering: .relaxed)
                }
                if !batch.isEmpty && !buffer.push(moving: &batch, shouldStop: { control.shouldStop }) { break polling }
            }
            rd_kafka_queue_destroy(queue)
            _ = releases.close()
            control.markExited()
        }
        thread.name = "highlight-kafka-consumer"
        control.markStarted()
        thread.start()
    }
}
