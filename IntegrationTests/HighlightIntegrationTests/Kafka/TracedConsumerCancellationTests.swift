import HighlightKafka
import HighlightKafkaClient
import HighlightTestSupport
import HighlightSynchronization
import Testing
import Synchronization

/// Cancelling the task that runs a traced consumer is a way to stop it like any other: the handlers in flight are
/// cancelled, the run returns, what was handled is committed and what was not is read again.
@Suite("Traced consumer: cancellation", .timeLimit(.minutes(2)))
struct TracedConsumerCancellationTests {
    static let messages = 200
    static let handledBeforeCancelling = 50

    /// Completed deliveries per partition; signals once `handledBeforeCancelling` messages are done.
    final class Progress: Sendable {
        private let state = Locked<(completed: [Int32: [Int64]], total: Int)>(([:], 0))
        let reached = OneShot<Void>()

        /// Records a completed delivery; false once enough are done (the handler then waits to be cancelled).
        func complete(_ messages: [KafkaConsumerMessage]) -> Bool {
            let total = state.withLock { state -> Int in
                guard state.total < TracedConsumerCancellationTests.handledBeforeCancelling else { return -1 }
                for message in messages { state.completed[message.partition, default: []].append(message.offset) }
                state.total += messages.count
                return state.total
            }
            if total >= TracedConsumerCancellationTests.handledBeforeCancelling { reached.set(()) }
            return total >= 0
        }

        var completed: [Int32: [Int64]] { state.withLock { $0.completed } }
    }

    @Test(arguments: [0, 10])
    func cancellingTheRunCommitsWhatWasHandledAndNothingElse(batchSize: Int) async throws {
        let topic = try await TestKafka.makeTopic("cancel-run", partitions: 2)
        let producer = try TestKafka.producer()
        for index in 0..<Self.messages {
            try await producer.sendAndForget(KafkaProducerRecord(topic: topic, partition: Int32(index % 2), value: "\(index)"))
        }
        try await producer.flush()
        await producer.shutdown()
        let group = "cancel-\(batchSize)-\(topic)"
        let consumer = TracedKafkaConsumer(consumer: try TestKafka.groupMember(topic: topic, group: group), logger: TestKafka.logger)

        let progress = Progress()
        let run = Task {
            if batchSize == 0 {
                try await consumer.run { message in
                    // Past the mark a handler waits to be cancelled (the sleep throws CancellationError then).
                    if !progress.complete([message.message]) { try await Task.sleep(for: .seconds(3600)) }
                }
            } else {
                try await consumer.runBatches(maximumSize: batchSize) { batch in
                    if !progress.complete(batch.map(\.message)) { try await Task.sleep(for: .seconds(3600)) }
                }
            }
        }
        await progress.reached.wait()
        run.cancel()
        try await run.value  // the suite's time limit bounds this: a run that ignores cancellation fails the test

        // Each partition's completed messages are its first ones, in order, and exactly those are committed.
        let completed = progress.completed
        #expect(completed.values.reduce(0) { $0 + $1.count } >= Self.handledBeforeCancelling)
        let committed = try await TestKafka.committedOffsets(group: group, topic: topic, partitions: [0, 1])
        for position in committed {
            let offsets = completed[position.topicPartition.partition] ?? []
            #expect(offsets == Array(0..<Int64(offsets.count)), "partition \(position.topicPartition.partition) handled in order")
            if offsets.isEmpty {
                #expect(position.offset < 0, "nothing handled, nothing committed: \(position)")
            } else {
                #expect(position.offset == Int64(offsets.count), "handled up to \(offsets.count), committed \(position)")
            }
        }
        #expect(consumer.statistics.handled == completed.values.reduce(0) { $0 + $1.count })
    }
}
