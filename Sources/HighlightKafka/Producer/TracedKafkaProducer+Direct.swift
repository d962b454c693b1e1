import HighlightKafkaClient
import HighlightPropagation
import HighlightTracing
import Instrumentation
import Tracing

/// The path of a record sent without a delivery closure, when this package's tracer or propagator is the one at work:
/// the span is the delivery's observer (it ends as the report is served) and the headers are written straight into
/// the message as it is queued.
///
/// Kept apart from the general path so that nothing is made for it that it does not use: the record is passed on as
/// it came (a copy retained its topic, value, key and headers), and no stand-in span or optional pair is built to be
/// unwrapped again.
extension TracedKafkaProducer {
    /// Sends `record` on the direct path, or returns `nil` without starting anything when that path does not apply
    /// (another tracer is bootstrapped, or nothing of this package would write the headers).
    ///
    /// - Returns: the record's id, or `nil` for the general path.
    nonisolated(nonsending) func sendDirect(_ record: KafkaProducerRecord, injectContext: Bool?) async throws(KafkaError) -> UInt64? {
        let resolved = instruments.resolve()
        let inject = injectContext ?? configuration.injectContext
        guard configuration.createSpans else {
            guard inject, let propagator = resolved.bytePropagator else { return nil }
            let writer = PropagationHeaderWriter(ServiceContext.current ?? .topLevel, span: nil, propagator: propagator)
            return try await producer.sendAndForget(record, headers: writer)
        }
        guard let tracer = resolved.tracer else { return nil }
        let parent = ServiceContext.current ?? .topLevel
        let spans = spanCache.entry(for: record.topic)
        let span = tracer.startSpan(spans.name, context: parent, ofKind: .producer)
        setMessaging(on: span, endpoint: spans.endpoint, for: record)
        do {
            guard inject else { return try await producer.sendAndForget(record, observer: span) }
            // The span's context is the one that travels (the consumer's span continues this one), written from its
            // ids without making the context itself.
            if let propagator = resolved.bytePropagator {
                let writer = PropagationHeaderWriter(parent, span: span, propagator: propagator)
                return try await producer.sendAndForget(record, headers: writer, observer: span)
            }
            var traced = record
            KafkaHeadersByteSink.inject(parent, span: span, into: &traced.headers, resolved: resolved.injecting)
            return try await producer.sendAndForget(traced, observer: span)
        } catch {
            Self.end(span, with: .failure(error))
            throw error
        }
    }

    /// Gives `span` the record's messaging attributes, as typed fields (no dictionary per message).
    func setMessaging(on span: HighlightSpan, endpoint: MessagingEndpoint, for record: KafkaProducerRecord) {
        span.setMessaging(endpoint: endpoint) { fields in
            fields.key = record.key
            fields.bodySize = record.value?.count ?? 0
            fields.partition = record.partition
        }
    }
}
