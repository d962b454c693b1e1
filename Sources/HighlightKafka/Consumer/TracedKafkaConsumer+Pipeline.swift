import HighlightKafkaClient
import HighlightPropagation
import Logging
import Instrumentation
import ServiceLifecycle
import Tracing

extension TracedKafkaConsumer {
    /// The user's handler: of one message (``run(_:)``) or of a batch (``runBatches(maximumSize:_:)``).
    enum Handler: Sendable {
        case single(@Sendable (KafkaTracedMessage) async throws -> Void)
        case batch(maximumSize: Int, @Sendable ([KafkaTracedMessage]) async throws -> Void)
    }

    /// What one call of the handler gets, with the context each message's headers carried.
    enum Delivery: Sendable {
        case message(KafkaConsumerMessage, extracted: ExtractedContext)
        case batch([KafkaConsumerMessage], extracted: [ServiceContext])

        var first: KafkaConsumerMessage {
            switch self {
            case .message(let message, _): message
            case .batch(let messages, _): messages[0]
            }
        }

        var count: Int {
            switch self {
            case .message: 1
            case .batch(let messages, _): messages.count
            }
        }

        /// Stores the offset after the last message (a batch holds one partition's messages in order). The message is
        /// read in place: a property returning it would copy it, four retains and four releases per delivery.
        ///
        /// - Parameter consumer: the consumer that read the messages.
        /// - Throws: `KafkaError` when the partition is no longer assigned, or the consumer is closed.
        func storeLastOffset(in consumer: KafkaConsumer) throws(KafkaError) {
            switch self {
            case .message(let message, _): try consumer.storeOffset(for: message)
            case .batch(let messages, _): try consumer.storeOffset(for: messages[messages.count - 1])
            }
        }

        /// Every message (an array even for one: for the rare paths, such as dead-lettering).
        var messages: [KafkaConsumerMessage] {
            switch self {
            case .message(let message, _): [message]
            case .batch(let messages, _): messages
            }
        }

        /// Every message, without building an array (the per-message path).
        func forEach(_ body: (KafkaConsumerMessage) -> Void) {
            switch self {
            case .message(let message, _): body(message)
            case .batch(let messages, _): messages.forEach(body)
            }
        }

        /// Hands the messages back to `consumer`, to be released on its poll thread (see `KafkaConsumer.release(_:)`).
        consuming func release(to consumer: KafkaConsumer) {
            switch consume self {
            case .message(let message, _): consumer.release(message)
            case .batch(let messages, _): for message in messages { consumer.release(message) }
            }
        }
    }

    /// A delivery whose handler failed in a task that was then found cancelled: what the next worker of the
    /// partition carries on with (the error policy has not yet been applied to this failure).
    struct InterruptedDelivery: Sendable {
        let delivery: Delivery
        let machine: DeliveryStateMachine
        let error: any Error
        let span: any Span
    }

    /// Why a partition's worker ended.
    enum WorkerEnd: Sendable {
        /// Its queue finished (the run is ending), or the error policy stopped the consumer.
        case ended
        /// Its task was found cancelled: by the run's cancellation, or by a handler that cancelled the task it ran
        /// in. `pending` is a delivery left between two steps.
        case interrupted(pending: InterruptedDelivery?)
    }

    /// The most messages the dispatcher takes from the consumer at once. It holds them outside every queue's bound
    /// until they are sent, so this adds to what the consumer holds in memory; a message of a partition revoked
    /// meanwhile is still refused by the gate, as one waiting in a queue is.
    static var dispatchBatch: Int { 256 }

    /// How many deliveries a partition's worker handles before it yields its thread (see `work`).
    static var yieldInterval: Int { 64 }

    /// The one pipeline behind ``run(_:)`` (batches of one) and ``runBatches(maximumSize:_:)``: a dispatcher reads
    /// the consumer's messages into one bounded queue per partition; each partition has a worker, a child task,
    /// that takes one message (or up to a batch's maximum size) at a time through the gate, the handler and the error policy.
    func runPipeline(_ handler: Handler) async throws {
        let stop = FirstFailure()
        let gate = PartitionGate()
        let queues = PartitionQueues(budget: queueBudget)
        let batchSize = if case .batch(let maximumSize, _) = handler { maximumSize } else { 1 }
        let capacity = max(configuration.partitionQueueCapacity, batchSize)
        observeRebalances(gate: gate, queues: queues)
        await withTaskGroup(of: Void.self) { committer in
            committer.addTask { await self.commitPeriodically() }
            await withTaskGroup(of: Void.self) { workers in
                await withGracefulShutdownHandler {
                    // Ends at shutdown, at a stop, or when this task is cancelled. Read in batches, each sent to the
                    // queues one partition's run at a time: a lock and a worker wake-up per run, not per message.
                    var batch: [KafkaConsumerMessage] = []
                    batch.reserveCapacity(Self.dispatchBatch)
                    while await consumer.messages.nextBatch(into: &batch, maximum: Self.dispatchBatch) {
                        // Reversed in place (the elements are moved, not copied), so that each partition's run is
                        // moved into its queue from the end, in the order it was read (see `send(poppingLast:from:)`).
                        batch.withUnsafeMutableBufferPointer { $0.reverse() }
                        while !batch.isEmpty {
                            let last = batch.count - 1
                            let partition = KafkaTopicPartition(topic: batch[last].topic, partition: batch[last].partition)
                            var start = last
                            while start > 0, batch[start - 1].partition == partition.partition, batch[start - 1].topic == partition.topic {
                                start -= 1
                            }
                            let (queue, created) = queues.queue(for: partition, capacity: capacity)
                            if created {
                                let slot = gate.slot(of: partition)
                                workers.addTask { await self.superviseWorker(of: queue, gate: gate, slot: slot, handler: handler, stop: stop) }
                            }
                            // Every message of the run leaves the batch: moved into the queue, or dropped (never
                            // committed, read again) once the queue is finished.
                            await queue.send(poppingLast: batch.count - start, from: &batch)
                        }
                        // The queues hold what was sent; this array's capacity is kept for the next batch.
                        batch.removeAll(keepingCapacity: true)
                    }
                } onGracefulShutdown: {
                    self.consumer.triggerShutdown()
                }
                // Fetching has stopped. Messages queued but not started are dropped (never committed: read again);
                // handlers in flight finish and their offsets are stored.
                for queue in queues.all { queue.finish(discardingPending: true) }
                await workers.waitForAll()
            }
            committer.cancelAll()
        }
        await consumer.shutdown()
        await shutDownOwnedDeadLetterProducer()
        if let failure = stop.value { throw failure }
    }

    /// Runs a partition's worker as a child task, and a new one whenever a handler cancelled the task it ran in: one
    /// handler's cancellation must not fail every message after it. When this task itself is cancelled (the run
    /// is), a delivery left pending is abandoned: not stored, so read again.
    private func superviseWorker(
        of queue: AsyncBoundedQueue<KafkaConsumerMessage>, gate: PartitionGate, slot: PartitionGate.Slot, handler: Handler, stop: FirstFailure
    ) async {
        var pending: InterruptedDelivery?
        while true {
            let resuming = pending
            let end = await withTaskGroup(of: WorkerEnd.self) { group in
                group.addTask { await self.work(queue, gate: gate, slot: slot, handler: handler, stop: stop, resuming: resuming) }
                return await group.next() ?? .ended
            }
            guard case .interrupted(let interrupted) = end else { return }
            if Task.isCancelled {
                if let interrupted {
                    interrupted.span.end()
                    interrupted.delivery.forEach { gate.end($0, in: slot, stored: false) }
                }
                return
            }
            logger.debug(
                "A handler cancelled the task it ran in; its partition continues in a new worker",
                metadata: ["partition": "\(interrupted.map { "\($0.delivery.first.topicPartition)" } ?? "-")"]
            )
            pending = interrupted
        }
    }

    /// A partition's worker: deliveries from its queue, one at a time, in order.
    private func work(
        _ queue: AsyncBoundedQueue<KafkaConsumerMessage>,
        gate: PartitionGate,
        slot: PartitionGate.Slot,
        handler: Handler,
        stop: FirstFailure,
        resuming interrupted: InterruptedDelivery?
    ) async -> WorkerEnd {
        // The contexts of this worker's spans, one after another in one storage.
        var contexts = ReusableSpanContext()
        if let interrupted {
            let end = await deliver(interrupted.delivery, handler: handler, resuming: interrupted, contexts: &contexts)
            let workerEnd = finish(interrupted.delivery, end, queue: queue, gate: gate, slot: slot, stop: stop)
            interrupted.delivery.release(to: consumer)
            if let workerEnd { return workerEnd }
        }
        // The session and baggage of the last message read, for the next one of the same request.
        var memo = ByteExtractionMemo()
        var instruments = WorkerInstruments(configured: configuration.instrument)
        var sinceYield = 0
        while true {
            if Task.isCancelled { return .interrupted(pending: nil) }
            // A worker whose queue never empties never suspends: it would keep its thread of the cooperative pool for
            // as long as messages come, and the exporter (high priority) and the application's other tasks would wait
            // for a thread. Every `yieldInterval` deliveries it lets them run first.
            sinceYield += 1
            if sinceYield == Self.yieldInterval {
                sinceYield = 0
                await Task.yield()
            }
            guard let delivery = await nextDelivery(from: queue, handler: handler, gate: gate, slot: slot, instruments: &instruments, memo: &memo)
            else {
                return Task.isCancelled ? .interrupted(pending: nil) : .ended
            }
            let end = await deliver(delivery, handler: handler, resuming: nil, contexts: &contexts)
            let workerEnd = finish(delivery, end, queue: queue, gate: gate, slot: slot, stop: stop)
            // Freed here, the message's buffers would go back to the poll thread's malloc arena under its lock.
            delivery.release(to: consumer)
            if let workerEnd { return workerEnd }
        }
    }

    // `nonisolated(nonsending)` here, on `deliver`, `invoke` and `attemptFailed`, and on the queue's and the gate's
    // waits: they run on the worker's executor, so a message is not a runtime executor switch at the entry and return
    // of each step (16 `swift_task_switch` calls a traced message before, 11.5 after, counted with a uprobe).
    /// The next messages of the queue that may start (waiting while the gate holds new work for a rebalance), with
    /// the context each carried; `nil` once the queue ends.
    /// A single handler gets `.message`, a batch handler `.batch` (a batch of one included: its span links).
    private nonisolated(nonsending) func nextDelivery(
        from queue: AsyncBoundedQueue<KafkaConsumerMessage>, handler: Handler, gate: PartitionGate, slot: PartitionGate.Slot,
        instruments: inout WorkerInstruments, memo: inout ByteExtractionMemo
    ) async -> Delivery? {
        while true {
            guard let first = await queue.next() else { return nil }
            await gate.waitWhileHeld()
            // A `switch`, not `guard case`, here and wherever a message passes: a `guard case` or `if case` pattern
            // copies its subject (here the handler's closure, a retain and a release per message).
            let maximumSize: Int
            switch handler {
            case .single:
                guard admits(first, through: gate, slot: slot) else { continue }
                return .message(first, extracted: ExtractedContext.extract(from: first.headers, instruments: &instruments, memo: &memo))
            case .batch(let size, _):
                maximumSize = size
            }
            let messages = ([first] + queue.takeAvailable(upTo: maximumSize - 1)).filter { admits($0, through: gate, slot: slot) }
            if messages.isEmpty { continue }
            let extracted = messages.map { ExtractedContext.extract(from: $0.headers, instruments: &instruments, memo: &memo).context }
            return .batch(messages, extracted: extracted)
        }
    }

    /// Stores a delivery's offsets or records the stop, and says whether the worker ends.
    private func finish(
        _ delivery: Delivery, _ end: DeliveryEnd, queue: AsyncBoundedQueue<KafkaConsumerMessage>, gate: PartitionGate, slot: PartitionGate.Slot,
        stop: FirstFailure
    ) -> WorkerEnd? {
        switch end {
        case .done:
            do {
                try delivery.storeLastOffset(in: consumer)
                delivery.forEach { gate.end($0, in: slot, stored: true) }
            } catch {
                delivery.forEach { gate.end($0, in: slot, stored: false) }
                logger.warning("Handled messages could not be committed; they will be read again", metadata: ["error": "\(error)"])
            }
            return nil
        case .stop(let failure):
            delivery.forEach { gate.end($0, in: slot, stored: false) }
            stop.record(failure)
            consumer.triggerShutdown()
            // What waits here is never started (nor committed), and its slots in the shared budget go back so the
            // dispatcher cannot wait on them.
            queue.finish(discardingPending: true)
            return .ended
        case .abandoned:
            delivery.forEach { gate.end($0, in: slot, stored: false) }
            return .interrupted(pending: nil)
        case .interrupted(let pending):
            return .interrupted(pending: pending)
        }
    }
}
