import Logging
import Synchronization
import HighlightKafkaClient
import HighlightPropagation
import Instrumentation
import ServiceLifecycle
import Tracing

extension TracedKafkaConsumer {
    /// Handles messages in batches: up to `maximumSize` messages already fetched, in one `process` span that links to
    /// every message's context. Each ``KafkaTracedMessage`` carries its own context; run per-message work inside it
    /// with ``KafkaTracedMessage/withContext(_:)``. Offsets are committed after the batch handler returns; the error
    /// policy applies to the batch as a whole (a dead-letter policy sends each of its messages).
    ///
    /// ```swift
    /// try await consumer.runBatches(maximumSize: 100) { batch in
    ///     for message in batch {
    ///         try await message.withContext { try await store(message.message) }
    ///     }
    /// }
    /// ```
    public func runBatches(maximumSize: Int = 100, _ handler: @escaping @Sendable ([KafkaTracedMessage]) async throws -> Void) async throws {
        var failure: KafkaHandlerError?
        // A revocation waits for the batch being handled, so its offsets make the commit before the partitions go.
        let gate = PartitionGate()
        observeRebalances(gate: gate, queues: nil)
        await withGracefulShutdownHandler {
            batches: while true {
                let fetched = await consumer.nextBatch(maximum: maximumSize)
                if fetched.isEmpty { break }
                await gate.waitWhileHeld()
                let batch = fetched.filter(admit(through: gate))
                if batch.isEmpty { continue }
                switch await processBatch(batch, handler: handler) {
                case .done:
                    do {
                        try consumer.store(latestPositions(of: batch))
                        for message in batch { gate.end(message, stored: true) }
                    } catch {
                        for message in batch { gate.end(message, stored: false) }
                        logger.warning("A handled batch could not be committed; it will be read again", metadata: ["error": "\(error)"])
                    }
                    do {
                        try consumer.commitStoredOffsetsAsync()
                    } catch {
                        logger.warning("Committing a handled batch failed; the next commit carries its offsets", metadata: ["error": "\(error)"])
                    }
                case .stop(let error):
                    for message in batch { gate.end(message, stored: false) }
                    failure = error
                    consumer.triggerShutdown()
                    break batches
                }
            }
        } onGracefulShutdown: {
            self.consumer.triggerShutdown()
        }
        await consumer.shutdown()
        await shutDownOwnedDeadLetterProducer()
        if let failure { throw failure }
    }

    private func latestPositions(of batch: [KafkaConsumerMessage]) -> [KafkaTopicPartitionOffset] {
        var latest: [KafkaTopicPartition: KafkaTopicPartitionOffset] = [:]
        for message in batch where (latest[message.topicPartition]?.offset ?? .min) < message.offset + 1 {
            latest[message.topicPartition] = message.nextPosition
        }
        return Array(latest.values)
    }

    private func processBatch(_ batch: [KafkaConsumerMessage], handler: @escaping @Sendable ([KafkaTracedMessage]) async throws -> Void) async -> Outcome {
        let extracted = batch.map {
            ServiceContext.extract(from: $0.headers, instrument: configuration.instrument)
        }
        var attempt = 0
        while true {
            attempt += 1
            if attempt > 1 { counters.retries.add(1, ordering: .relaxed) }
            let span = startProcessSpan(for: batch, extracted: extracted, attempt: attempt, batch: true)
            let traced = zip(batch, extracted).map { message, context in
                KafkaTracedMessage(message: message, extractedContext: context, context: context, attempt: attempt)
            }
            do {
                try await ServiceContext.withValue(span.context) {
                    try await withTimeLimit(configuration.handlerTimeout, handler, traced, overran: reportOverrun)
                }
                span.end()
                counters.handled.add(batch.count, ordering: .relaxed)
                return .done
            } catch {
                if let outcome = await handleFailure(error, of: batch, attempt: attempt, span: span) { return outcome }
                if Task.isCancelled {
                    // runBatches was cancelled: no retry can run. The batch is not committed, so it is read again.
                    return .stop(KafkaHandlerError(underlying: CancellationError(), message: batch[0], attempts: attempt))
                }
            }
        }
    }
}
