import HighlightKafkaClient
import HighlightPropagation
import HighlightTracing
import Instrumentation
import Tracing

extension TracedKafkaConsumer {
    /// Starts the CONSUMER span of a delivery: for one message, a child of the producer's context (or a new trace
    /// linked to it); for a batch, a new trace linked to every message's context.
    func startProcessSpan(for delivery: Delivery, attempt: Int) -> any Span {
        switch delivery {
        case .message(let message, let extracted):
            // `CollectionOfOne`: one message costs no array allocations.
            startProcessSpan(for: CollectionOfOne(message), extracted: CollectionOfOne(extracted), attempt: attempt)
        case .batch(let messages, let extracted):
            startProcessSpan(for: messages, extracted: extracted, attempt: attempt, batch: true)
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
        // A batch always links (even a batch of one), so its span has one link per message.
        let parented = !batch && configuration.spanRelation == .parent
        if !configuration.createSpans {
            // No span: the handler runs in the message's context (a new trace's for a batch), nothing else is worked out.
            return NoOpTracer.NoOpSpan(context: parented ? extracted.first! : extracted.first?.sessionAndBaggage ?? .topLevel)
        }
        let first = messages.first!
        let topic = messages.dropFirst().allSatisfy { $0.topic == first.topic } ? first.topic : "multiple"
        let started: MessageTracer.Started
        if parented {
            started = MessageTracer.startSpan(spanNames.name(for: topic), context: extracted.first!, ofKind: .consumer)
        } else {
            // A new trace, still carrying the session and baggage (of the first message, for a batch).
            let base = extracted.first?.sessionAndBaggage ?? .topLevel
            started = MessageTracer.startSpan(spanNames.name(for: topic), context: base, ofKind: .consumer)
            for context in extracted { started.span.addLink(SpanLink(context: context, attributes: [:])) }
        }
        if case .highlight(let span) = started {
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
        // The message's session (the first message's, for a batch), whatever tracer made the span.
        if let context = extracted.first { span.setHighlightSession(from: context) }
        return span
    }
}
