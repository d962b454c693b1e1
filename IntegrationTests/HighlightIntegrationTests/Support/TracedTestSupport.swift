import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import InMemoryTracing
import Instrumentation
import Tracing

/// A tracer and instrument for the traced-layer tests: spans are recorded in memory, and the instrument propagates
/// both the highlight context and the in-memory tracer's span ids through message headers.
struct TracingFixture: Sendable {
    let tracer = InMemoryTracer()
    let statistics = PropagationStatistics()

    var instrument: any Instrument {
        HighlightPropagator(statistics: statistics).combined(with: tracer)
    }

    var producerConfiguration: TracedKafkaProducer.Configuration {
        TracedKafkaProducer.Configuration(instrument: instrument)
    }

    func consumerConfiguration(_ configure: (inout TracedKafkaConsumer.Configuration) -> Void = { _ in }) -> TracedKafkaConsumer.Configuration {
        var configuration = TracedKafkaConsumer.Configuration(instrument: instrument)
        configuration.errorPolicy = .stop
        configure(&configuration)
        return configuration
    }

    /// A context holding a session, request id and baggage, as an HTTP middleware would have restored it.
    static func requestContext(session: String, request: String, tenant: String = "acme") -> ServiceContext {
        var context = ServiceContext.topLevel
        context.highlightRequest = HighlightRequestContext(sessionSecureID: session, requestID: request)
        var baggage = W3CBaggage()
        baggage["tenant"] = tenant
        context.baggage = baggage
        return context
    }

    func finishedSpans(named name: String) -> [FinishedInMemorySpan] {
        tracer.finishedSpans.filter { $0.operationName == name }
    }
}

/// What a handler saw, for assertions after the run.
struct Observation: Sendable {
    let offset: Int64
    let partition: Int32
    let session: String?
    let request: String?
    let tenant: String?
    let attempt: Int
    let value: String?
    let spanTraceID: String?
    let spanParentID: String?
    /// The session the message carried, as `KafkaTracedMessage` reports it and as its extracted context holds it.
    let carriedSession: String?
    let extractedContextSession: String?
}

extension KafkaTracedMessage {
    func observe() -> Observation {
        let current = ServiceContext.current
        return Observation(
            offset: message.offset,
            partition: message.partition,
            session: current?.highlightRequest?.sessionSecureID,
            request: current?.highlightRequest?.requestID,
            tenant: current?.baggage?["tenant"],
            attempt: attempt,
            value: message.valueString,
            spanTraceID: current?.inMemorySpanContext?.traceID,
            spanParentID: current?.inMemorySpanContext?.parentSpanID,
            carriedSession: highlightRequest?.sessionSecureID,
            extractedContextSession: extractedContext.highlightRequest?.sessionSecureID
        )
    }
}
