import Logging
import Synchronization
import HighlightKafkaClient
import HighlightPropagation
import HighlightTracing
import Instrumentation
import Tracing

extension TracedKafkaConsumer {
    /// How a delivery ended.
    enum DeliveryEnd: Sendable {
        /// Handled, skipped or dead-lettered: the offsets may be stored.
        case done
        /// The error policy stops the consumer; nothing is stored.
        case stop(KafkaHandlerError)
        /// The run was cancelled; nothing is stored (the messages are read again).
        case abandoned
        /// A handler failed in a task found cancelled; a worker in a task that is not carries on.
        case interrupted(InterruptedDelivery)
    }

    /// Takes a delivery through the handler and the error policy, performing what ``DeliveryStateMachine`` decides,
    /// until its offsets may be stored, the consumer must stop, or the run is cancelled.
    ///
    /// - Parameter contexts: the worker's storage for its spans' contexts (see ``ReusableSpanContext``).
    nonisolated(nonsending) func deliver(
        _ delivery: Delivery, handler: Handler, resuming interrupted: InterruptedDelivery?, contexts: inout ReusableSpanContext
    ) async -> DeliveryEnd {
        var machine: DeliveryStateMachine
        var action: DeliveryStateMachine.Action
        /// The failure that a stop reports: the handler's last error, or the dead-letter send's.
        var failure: (error: any Error, message: KafkaConsumerMessage)?
        if let interrupted {
            machine = interrupted.machine
            failure = (interrupted.error, delivery.first)
            action = await attemptFailed(interrupted.error, delivery: delivery, span: interrupted.span, machine: &machine)
        } else {
            machine = DeliveryStateMachine(policy: configuration.errorPolicy)
            action = machine.start()
        }
        while true {
            switch action {
            case .runHandler(let attempt):
                if attempt > 1 { counters.retries.add(1, ordering: .relaxed) }
                let started = startProcessSpan(for: delivery, attempt: attempt)
                let span = started.span
                let spanContext = started.context(reusing: &contexts)
                do {
                    try await ServiceContext.withValue(spanContext) {
                        try await invoke(handler, with: delivery, spanContext: spanContext, attempt: attempt)
                    }
                    span.end()
                    action = machine.handlerSucceeded()
                } catch {
                    failure = (error, delivery.first)
                    // The handler cancelled the task it ran in (or the run is cancelled): nothing more can wait or
                    // send here. The worker's supervisor decides which.
                    if Task.isCancelled { return .interrupted(InterruptedDelivery(delivery: delivery, machine: machine, error: error, span: span)) }
                    action = await attemptFailed(error, delivery: delivery, span: span, machine: &machine)
                }
            case .waitBeforeRetry(let delay):
                let waited: Void? = try? await Task.sleep(for: delay)
                action = machine.retryWaitEnded(cancelled: waited == nil)
            case .sendToDeadLetters(let topic):
                if let sendFailure = await sendToDeadLetters(delivery, topic: topic, attempts: machine.attempt, error: failure?.error) {
                    failure = sendFailure
                    action = machine.deadLettersFailed(cancelled: Task.isCancelled)
                } else {
                    action = machine.deadLettersSent()
                }
            case .storeOffsets(let completion):
                switch completion {
                case .handled: counters.handled.add(delivery.count, ordering: .relaxed)
                case .skipped: counters.skipped.add(delivery.count, ordering: .relaxed)
                case .deadLettered: break  // counted per message as sent
                }
                return .done
            case .stopConsumer(let attempts):
                let (error, message) = failure ?? (CancellationError(), delivery.first)
                return .stop(KafkaHandlerError(underlying: error, message: message, attempts: attempts))
            case .abandon:
                return .abandoned
            }
        }
    }

    /// Calls the user's handler (under the time limit) with what it takes.
    private nonisolated(nonsending) func invoke(_ handler: Handler, with delivery: Delivery, spanContext: ServiceContext, attempt: Int) async throws {
        // One enum at a time, not a tuple of both: switching over a tuple copies the delivery into it (2% of a traced
        // consumer's worker threads).
        switch delivery {
        case .message(let message, let extracted):
            // A `switch`, the call inside it: a `guard case` pattern copies the handler's closure (see `nextDelivery`).
            switch handler {
            case .single(let handler):
                let traced = KafkaTracedMessage(message: message, extracted: extracted, context: spanContext, attempt: attempt)
                // Without a limit the handler is called directly: the overrun report's closure (an allocation per
                // message) is made only when there is a limit to overrun.
                guard let limit = configuration.handlerTimeout else { return try await handler(traced) }
                try await withTimeLimit(limit, handler, traced, overran: reportOverrun)
            case .batch:
                preconditionFailure(Self.pairing)
            }
        case .batch(let messages, let extracted):
            guard case .batch(_, let handler) = handler else { preconditionFailure(Self.pairing) }
            let traced = zip(messages, extracted).map { message, context in
                KafkaTracedMessage(message: message, extracted: .context(context), context: context, attempt: attempt)
            }
            guard let limit = configuration.handlerTimeout else { return try await handler(traced) }
            try await withTimeLimit(limit, handler, traced, overran: reportOverrun)
        }
    }

    private static var pairing: String {
        "nextDelivery(from:handler:gate:memo:) pairs each handler with its kind of delivery"
    }

    /// Records a failed attempt, applies the policy to it, and ends its span.
    private nonisolated(nonsending) func attemptFailed(_ error: any Error, delivery: Delivery, span: any Span, machine: inout DeliveryStateMachine) async -> DeliveryStateMachine.Action {
        let attempt = machine.attempt
        counters.failedAttempts.add(1, ordering: .relaxed)
        await report(error, message: delivery.first, attempt: attempt, span: span)
        let action = machine.handlerFailed()
        if let decision = machine.lastDecision { span.attributes["highlight.kafka.error_policy"] = "\(decision)" }
        span.end()
        let first = delivery.first
        let metadata: Logger.Metadata = [
            "topic": "\(first.topic)", "partition": "\(first.partition)", "offset": "\(first.offset)",
            "messages": "\(delivery.count)", "error": "\(error)",
        ]
        switch action {
        case .storeOffsets(.skipped): logger.error("Skipping what the handler could not process (error policy: skip)", metadata: metadata)
        case .stopConsumer: logger.error("Stopping the consumer: a message could not be handled (error policy: stop)", metadata: metadata)
        default: break
        }
        return action
    }

    /// Sends each message of the delivery to the dead-letter topic.
    /// - Returns: the error of the send that failed (the messages from there on are not parked), or `nil`.
    private func sendToDeadLetters(_ delivery: Delivery, topic: String, attempts: Int, error: (any Error)?) async -> (error: any Error, message: KafkaConsumerMessage)? {
        for message in delivery.messages {
            do {
                try await deadLetter(message, error: error ?? CancellationError(), attempts: attempts, topic: topic)
                counters.deadLettered.add(1, ordering: .relaxed)
            } catch let sendError {
                logger.error("Dead-letter send failed; stopping so the message is not lost", metadata: ["error": "\(sendError)"])
                return (sendError, message)
            }
        }
        return nil
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
            let context = span.context
            let failure = KafkaHandlerFailure(error: error, message: message, attempt: attempt, context: context)
            await ServiceContext.withValue(context) { await reporter(failure) }
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

}
