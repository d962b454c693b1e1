import HighlightKafkaClient
import HighlightPropagation
import HighlightTracing
import Instrumentation
import Tracing

extension TracedKafkaConsumer {
    /// Starts the CONSUMER span of a delivery: for one message, a child of the producer's context (or a new trace
    /// linked to it); for a batch, a new trace linked to every message's context.
    func startProcessSpan(for delivery: Delivery, attempt: Int) -> MessageTracer.Started {
        switch delivery {
        case .message(let message, let extracted):
            return startProcessSpan(first: message, topic: message.topic, extracted: extracted, batch: nil, attempt: attempt)
        case .batch(let messages, let extracted):
            let first = messages[0]
            let topic = messages.allSatisfy { $0.topic == first.topic } ? first.topic : "multiple"
            return startProcessSpan(first: first, topic: topic, extracted: .context(extracted[0]), batch: extracted, attempt: attempt)
        }
    }

    /// Starts the CONSUMER span for one message (or a batch): a child of the producer's context, or a new trace
    /// linked to every message's context.
    ///
    /// - Parameters:
    ///   - first: the message (a batch's first).
    ///   - extracted: what the message carried (a batch's first message's).
    ///   - batch: every message's context, for a batch; `nil` for one message.
    private func startProcessSpan(
        first: KafkaConsumerMessage,
        topic: String,
        extracted: ExtractedContext,
        batch: [ServiceContext]?,
        attempt: Int
    ) -> MessageTracer.Started {
        // A batch always links (even a batch of one), so its span has one link per message.
        let parented = batch == nil && configuration.spanRelation == .parent
        if !configuration.createSpans {
            // No span: the handler runs in the message's context (a new trace's for a batch), nothing else is worked out.
            return .other(NoOpTracer.NoOpSpan(context: parented ? extracted.context : extracted.context.sessionAndBaggage))
        }
        let spans = spanCache.entry(for: topic)
        let started: MessageTracer.Started
        if parented {
            started = MessageTracer.startSpan(spans.name, extracted: extracted, ofKind: .consumer)
        } else {
            // A new trace, still carrying the session and baggage (of the first message, for a batch).
            let context = extracted.context
            started = MessageTracer.startSpan(spans.name, context: context.sessionAndBaggage, ofKind: .consumer)
            for linked in batch ?? [context] { started.span.addLink(SpanLink(context: linked, attributes: [:])) }
        }
        // A `switch`: an `if case` pattern copies the started span (see `nextDelivery`).
        switch started {
        case .other: break
        case .highlight(let span):
            // This package's tracer keeps the messaging attributes as typed fields: no dictionary per message.
            span.setMessaging(endpoint: spans.endpoint) { fields in
                if let batch {
                    fields.batchCount = batch.count
                } else {
                    fields.partition = first.partition
                    fields.offset = first.offset
                    fields.bodySize = first.value?.count ?? 0
                    fields.key = first.key
                }
                fields.attempt = attempt
            }
            return started
        }
        let span = started.span
        span.updateAttributes { attributes in
            attributes.setKafka(
                operationType: "process",
                operationName: "process",
                topic: topic,
                clientID: consumer.configuration.clientID,
                server: serverHost
            )
            if let group = consumer.configuration.groupID { attributes[MessagingAttribute.consumerGroup] = group }
            if let batch {
                attributes[MessagingAttribute.batchCount] = batch.count
            } else {
                attributes[MessagingAttribute.partitionID] = "\(first.partition)"
                attributes[MessagingAttribute.offset] = Int(first.offset)
                attributes[MessagingAttribute.bodySize] = first.value?.count ?? 0
                attributes.setKafkaKey(first.key)
            }
            if attempt > 1 { attributes["highlight.kafka.attempt"] = attempt }
        }
        // The message's session (the first message's, for a batch), whatever tracer made the span.
        span.setHighlightSession(from: extracted.context)
        return started
    }
}
