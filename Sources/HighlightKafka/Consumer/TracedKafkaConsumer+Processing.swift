import Logging
import Synchronization
import HighlightKafkaClient
import HighlightPropagation
import HighlightTracing
import Instrumentation
import Tracing

extension TracedKafkaConsumer {
    enum Outcome {
        /// Handled, skipped or dead-lettered: the offset may be committed.
        case done
        /// The policy stops the consumer; the message is not committed.
        case stop(KafkaHandlerError)
    }

    /// What the error policy decides after a failed attempt.
    package enum Decision: Equatable {
        case retry(after: Duration)
        case skip
        case deadLetter(topic: String)
        case stop
    }

    /// Resolves `policy` for the `attempt`-th failure (1-based), walking nested `then` policies.
    package static func decide(_ policy: KafkaErrorPolicy, failedAttempt attempt: Int) -> Decision {
        switch policy {
        case .stop: .stop
        case .skip: .skip
        case .deadLetter(let topic): .deadLetter(topic: topic)
        case .retry(let attempts, let backoff, let then):
            attempt < attempts ? .retry(after: backoff.delay(afterAttempt: attempt)) : decide(then, failedAttempt: attempt - max(attempts, 1) + 1)
        }
    }

    /// Handles one message: extract, span, handler, and the error policy until the message is done or stops us.
    func process(
        _ message: KafkaConsumerMessage,
        handler: @escaping @Sendable (KafkaTracedMessage) async throws -> Void,
        firstAttempt: Int = 1
    ) async -> Outcome {
        let extracted = ServiceContext.extract(from: message.headers, instrument: configuration.instrument)
        var attempt = firstAttempt - 1
        while true {
            attempt += 1
            if attempt > 1 { counters.retries.add(1, ordering: .relaxed) }
            let span = startProcessSpan(for: CollectionOfOne(message), extracted: CollectionOfOne(extracted), attempt: attempt)
            let traced = KafkaTracedMessage(message: message, extractedContext: extracted, context: span.context, attempt: attempt)
            do {
                try await ServiceContext.withValue(span.context) {
                    try await withTimeLimit(configuration.handlerTimeout, handler, traced, overran: reportOverrun)
                }
                span.end()
                counters.handled.add(1, ordering: .relaxed)
                return .done
            } catch {
                if Task.isCancelled {
                    // The handler cancelled the task it ran in, which is this partition's worker. Go on in a fresh
                    // task (it inherits the context, not the cancellation), so the policy's wait, the dead-letter
                    // send and the retries are not cancelled with it.
                    let failedAttempt = attempt
                    return await Task {
                        if let outcome = await self.handleFailure(error, of: [message], attempt: failedAttempt, span: span) { return outcome }
                        return await self.process(message, handler: handler, firstAttempt: failedAttempt + 1)
                    }.value
                }
                if let outcome = await handleFailure(error, of: [message], attempt: attempt, span: span) { return outcome }
            }
        }
    }

    /// Applies the error policy to a failed attempt on `messages` (one message, or a batch): records the failure,
    /// ends the span, and either waits for the retry (returns `nil`) or returns what happens to the messages.
    func handleFailure(_ error: any Error, of messages: [KafkaConsumerMessage], attempt: Int, span: any Span) async -> Outcome? {
        let first = messages[0]
        counters.failedAttempts.add(1, ordering: .relaxed)
        await report(error, message: first, attempt: attempt, span: span)
        let decision = Self.decide(configuration.errorPolicy, failedAttempt: attempt)
        span.attributes["highlight.kafka.error_policy"] = "\(decision)"
        span.end()
        let failureMetadata: Logger.Metadata = [
            "topic": "\(first.topic)", "partition": "\(first.partition)", "offset": "\(first.offset)",
            "messages": "\(messages.count)", "error": "\(error)",
        ]
        switch decision {
        case .retry(let delay):
            try? await Task.sleep(for: delay)
            return nil
        case .skip:
            counters.skipped.add(messages.count, ordering: .relaxed)
            logger.error("Skipping what the handler could not process (error policy: skip)", metadata: failureMetadata)
            return .done
        case .deadLetter(let topic):
            for message in messages {
                do {
                    try await deadLetter(message, error: error, attempts: attempt, topic: topic)
                    counters.deadLettered.add(1, ordering: .relaxed)
                } catch let sendError {
                    logger.error("Dead-letter send failed; stopping so the message is not lost", metadata: ["error": "\(sendError)"])
                    return .stop(KafkaHandlerError(underlying: sendError, message: message, attempts: attempt))
                }
            }
            return .done
        case .stop:
            logger.error("Stopping the consumer: a message could not be handled (error policy: stop)", metadata: failureMetadata)
            return .stop(KafkaHandlerError(underlying: error, message: first, attempts: attempt))
        }
    }

    /// A handler ran on for `overrun` after its timeout (it ignored cancellation), holding its partition.
    func reportOverrun(_ overrun: Duration) {
        guard overrun > .milliseconds(10) else { return }
        counters.timeoutsOverrun.add(1, ordering: .relaxed)
        logger.warning(
            "A handler ran on after its timeout (it ignores cancellation); its partition waited for it",
            metadata: ["overrun": "\(overrun)", "timeout": "\(configuration.handlerTimeout.map { "\($0)" } ?? "none")"]
        )
    }

    /// Records a failed attempt exactly once: through the reporter when there is one, on the span otherwise.
    func report(_ error: any Error, message: KafkaConsumerMessage, attempt: Int, span: any Span) async {
        span.setStatus(SpanStatus(code: .error, message: String(describing: error)))
        if let reporter = configuration.errorReporter {
            let failure = KafkaHandlerFailure(error: error, message: message, attempt: attempt, context: span.context)
            await ServiceContext.withValue(span.context) { await reporter(failure) }
        } else if configuration.createSpans {
            span.recordError(error)
        } else {
            // No span to carry it: the log is the record.
            logger.error("The handler failed", metadata: [
                "topic": "\(message.topic)", "partition": "\(message.partition)", "offset": "\(message.offset)",
                "attempt": "\(attempt)", "error": "\(error)",
            ])
        }
    }

    /// Starts the CONSUMER span for one message (or a batch): a child of the producer's context, or a new trace
    /// linked to every message's context.
    /// Generic over the collections so that one message (`CollectionOfOne`) costs no array allocations.
    func startProcessSpan<Messages: Collection<KafkaConsumerMessage>, Contexts: Collection<ServiceContext>>(
        for messages: Messages,
        extracted: Contexts,
        attempt: Int,
        batch: Bool = false
    ) -> any Span {
        let first = messages.first!
        let topic = messages.dropFirst().allSatisfy { $0.topic == first.topic } ? first.topic : "multiple"
        let span: any Span
        // A batch always links (even a batch of one), so its span has one link per message.
        if !batch && configuration.spanRelation == .parent {
            guard configuration.createSpans else { return NoOpTracer.NoOpSpan(context: extracted.first!) }
            span = MessageTracer.startSpan("process \(topic)", context: extracted.first!, ofKind: .consumer)
        } else {
            // A new trace, still carrying the session and baggage (of the first message, for a batch).
            let base = extracted.first?.sessionAndBaggage ?? .topLevel
            guard configuration.createSpans else { return NoOpTracer.NoOpSpan(context: base) }
            span = MessageTracer.startSpan("process \(topic)", context: base, ofKind: .consumer)
            for context in extracted { span.addLink(SpanLink(context: context, attributes: [:])) }
        }
        if let span = span as? HighlightSpan {
            // This package's tracer keeps the messaging attributes as typed fields: no dictionary per message.
            var fields = MessagingFields(operationType: "process", destination: topic, clientID: consumer.configuration.clientID, serverAddress: serverHost)
            fields.consumerGroup = consumer.configuration.groupID
            if batch {
                fields.batchCount = messages.count
            } else {
                fields.partition = first.partition
                fields.offset = first.offset
                fields.bodySize = first.value?.count ?? 0
                fields.key = first.key
            }
            fields.attempt = attempt
            span.setMessaging(fields)
            return span
        }
        span.updateAttributes { attributes in
            attributes.setKafka(
                operationType: "process",
                operationName: "process",
                topic: topic,
                clientID: consumer.configuration.clientID,
                server: serverHost
            )
            if let group = consumer.configuration.groupID { attributes[MessagingAttribute.consumerGroup] = group }
            if !batch {
                let message = first
                attributes[MessagingAttribute.partitionID] = "\(message.partition)"
                attributes[MessagingAttribute.offset] = Int(message.offset)
                attributes[MessagingAttribute.bodySize] = message.value?.count ?? 0
                attributes.setKafkaKey(message.key)
            } else {
                attributes[MessagingAttribute.batchCount] = messages.count
            }
            if attempt > 1 { attributes["highlight.kafka.attempt"] = attempt }
        }
        return span
    }
}
