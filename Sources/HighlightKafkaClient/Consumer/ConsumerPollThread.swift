import Foundation
import Synchronization

/// The consumer's poll thread: blocks in librdkafka's batch read and hands the messages to the buffer, so no wait of
/// librdkafka's ever runs on the cooperative pool.
enum ConsumerPollThread {
    static func start(
        client: RDKafkaClient,
        callbacks: ConsumerCallbacks,
        buffer: MessageBuffer<KafkaConsumerMessage>,
        control: PollThreadControl,
        configuration: KafkaConsumerConfiguration,
        waker: FetchPauseWaker
    ) {
        let thread = Thread {
            var waker = waker
            if case .assignment(let positions, _) = configuration.subscription {
                // A refused assignment is reported on the events and logged.
                if let error = client.assignAfterMetadata(positions) { callbacks.report(error) }
            }
            let queue = RDKafkaConsumerQueue(client: client, batchSize: configuration.batchSize)
            var batch: [KafkaConsumerMessage] = []
            /// Takes up to `count` messages, waiting at most `timeout` ms for them all: copies of the messages into
            /// `batch`, partition EOFs and errors onto the events. Whether it got all it asked for.
            func take(_ count: Int, timeout: Int32) -> Bool {
                let taken = queue.take(
                    upTo: count,
                    timeoutMilliseconds: timeout,
                    // Revocations are served inside the read, never while its messages are copied: one read stamps
                    // them all.
                    stamp: { callbacks.revocations.load(ordering: .sequentiallyConsistent) },
                    message: { message, payloadBytes in
                        waker.observe(payloadBytes: payloadBytes)
                        batch.append(message)
                    },
                    event: { event in
                        switch event {
                        case .partitionEOF(let position): callbacks.events.yield(.partitionEOF(position))
                        case .error(let error): callbacks.report(error)
                        }
                    }
                )
                return taken == count
            }
            polling: while !control.shouldStop {
                // librdkafka's batch read waits until the batch is full or the time is up, so one read for a whole
                // batch held messages back for up to 100 ms whenever fewer were queued. Instead: wait for the first
                // (the 100 ms bound only lets the thread notice a stop request), then take what is already queued.
                batch.removeAll(keepingCapacity: true)
                if take(1, timeout: 100) && queue.batchSize > 1 { _ = take(queue.batchSize - 1, timeout: 0) }
                if waker.batchTaken(batch.count, leaving: queue.length, wake: client.wakeAssignedLeaders) {
                    callbacks.fetchWakeUps.add(1, ordering: .relaxed)
                }
                if !batch.isEmpty && !buffer.push(batch, shouldStop: { control.shouldStop }) { break polling }
            }
            control.markExited()
        }
        thread.name = "highlight-kafka-consumer"
        control.markStarted()
        thread.start()
    }
}
