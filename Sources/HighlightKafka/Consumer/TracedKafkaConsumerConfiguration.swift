public import HighlightKafkaClient
public import Instrumentation

extension TracedKafkaConsumer {
    /// How the traced consumer traces, handles failures and spreads work.
    public struct Configuration: Sendable {
        /// How a message's `process` span relates to the producer's span.
        public enum SpanRelation: Sendable, Hashable {
            /// The `process` span is a child of the producer's span: one trace from the browser to the worker.
            /// The OpenTelemetry conventions allow this for single-message processing. Default.
            case parent
            /// The `process` span starts a new trace with a link to the producer's span (the conventions' default
            /// for messaging). The handler still runs under the message's session and baggage.
            case link
        }

        /// Parent (default) or link.
        public var spanRelation: SpanRelation
        /// What to do when the handler throws; default ``KafkaErrorPolicy/default`` (3 attempts, then stop).
        public var errorPolicy: KafkaErrorPolicy
        /// Called once for every failed handler run, inside the message's context, before the policy acts. When set,
        /// it is responsible for reporting the error (the `Highlight` facade's `consumeError` records the `exception`
        /// event itself); when `nil`, the error is recorded on the `process` span. Either way each failure is recorded
        /// exactly once.
        public var errorReporter: (@Sendable (KafkaHandlerFailure) async -> Void)?
        /// A handler run that takes longer fails with ``KafkaHandlerTimeout`` (and the policy applies). Default: none.
        ///
        /// The run is cancelled at the timeout, and the next attempt of the message (or the next message of its
        /// partition) starts only once it has returned: two attempts of one message never run at once. A handler
        /// that ignores cancellation therefore holds its partition until it returns; that is logged, and counted in
        /// ``TracedKafkaConsumerStatistics/timeoutsOverrun``.
        public var handlerTimeout: Duration?
        /// Messages waiting per partition; a slow partition fills only its own queue. Default 1,000.
        public var partitionQueueCapacity: Int
        /// Messages waiting in all partitions' queues together; past it the consumer fetches no more until handlers
        /// take some. It bounds the memory held for fetched, unstarted messages however many partitions this member
        /// owns (the plain consumer's `KafkaConsumerConfiguration.bufferCapacity`, librdkafka's prefetch and the
        /// at most 256 messages being handed out to the queues come on top). Default 10,000.
        public var totalQueueCapacity: Int
        /// The producer for ``KafkaErrorPolicy/deadLetter(topic:)``; `nil` creates one on the consumer's bootstrap
        /// servers when the policy needs it.
        public var deadLetterProducer: KafkaProducer?
        /// How long a revocation waits for the handlers running on the revoked partitions, so that their offsets are
        /// committed before the partitions move (the group's rebalance waits as long). Default 10 s.
        public var revocationWait: Duration
        /// The instrument used for extraction; `nil` resolves `InstrumentationSystem.instrument` on every message (a
        /// default `HighlightPropagator` when nothing was bootstrapped).
        public var instrument: (any Instrument)?
        /// Start a `process <topic>` span for every message (or batch). Default on. Off, the handler runs in the
        /// context extracted from the message (with ``SpanRelation/link``, a context holding only its session and
        /// baggage), so `H.consumeError`, `H.log` and loggers still see the session, and the consumer costs an
        /// extraction per message instead of a span. A failure with no ``errorReporter`` is then logged (there is no
        /// span to record it on).
        public var createSpans: Bool

        /// Creates a configuration with the defaults above.
        ///
        /// - Parameters:
        ///   - spanRelation: whether the `process` span is the message's child or links to it.
        ///   - errorPolicy: what happens to a message whose handler throws.
        ///   - errorReporter: called once per failed attempt, inside the message's context.
        ///   - handlerTimeout: how long a handler may run before its attempt fails; `nil` for no limit.
        ///   - partitionQueueCapacity: the most messages waiting in one partition's queue.
        ///   - totalQueueCapacity: the most messages waiting in all partition queues together.
        ///   - deadLetterProducer: the producer dead-lettered messages go through; `nil` makes one from the consumer's brokers.
        ///   - revocationWait: how long handlers of a revoked partition get to finish before the partition moves.
        ///   - instrument: the instrument that extracts; `nil` for the bootstrapped one.
        ///   - createSpans: a CONSUMER span `process <topic>` per message (or batch).
        public init(
            spanRelation: SpanRelation = .parent,
            errorPolicy: KafkaErrorPolicy = .default,
            errorReporter: (@Sendable (KafkaHandlerFailure) async -> Void)? = nil,
            handlerTimeout: Duration? = nil,
            partitionQueueCapacity: Int = 1000,
            totalQueueCapacity: Int = 10_000,
            deadLetterProducer: KafkaProducer? = nil,
            revocationWait: Duration = .seconds(10),
            instrument: (any Instrument)? = nil,
            createSpans: Bool = true
        ) {
            self.createSpans = createSpans
            self.revocationWait = revocationWait
            self.spanRelation = spanRelation
            self.errorPolicy = errorPolicy
            self.errorReporter = errorReporter
            self.handlerTimeout = handlerTimeout
            self.partitionQueueCapacity = partitionQueueCapacity
            self.totalQueueCapacity = totalQueueCapacity
            self.deadLetterProducer = deadLetterProducer
            self.instrument = instrument
        }
    }
}

/// Counters of a ``TracedKafkaConsumer``.
public struct TracedKafkaConsumerStatistics: Sendable, Hashable {
    /// Messages whose handler returned.
    public var handled: Int
    /// Handler runs that threw or timed out.
    public var failedAttempts: Int
    /// Handler runs that were retries.
    public var retries: Int
    /// Messages committed without being handled, by ``KafkaErrorPolicy/skip``.
    public var skipped: Int
    /// Messages sent to a dead-letter topic.
    public var deadLettered: Int
    /// Messages not started because their partition was revoked (their next owner reads them).
    public var releasedOnRebalance: Int
    /// Messages delivered again after a rebalance that this consumer had already handled, not handled twice.
    public var redeliveriesSkipped: Int
    /// Handler runs that went on after their ``TracedKafkaConsumer/Configuration/handlerTimeout`` because they
    /// ignored cancellation; the next attempt of their message waited for them to return (each is also logged).
    public var timeoutsOverrun: Int
    /// Messages fetched and waiting in the partition queues right now (at most
    /// ``TracedKafkaConsumer/Configuration/totalQueueCapacity``): a gauge, where the other fields are counters. Near
    /// the capacity, handlers are the bottleneck.
    public var queuedMessages: Int
}

/// A handler run that exceeded ``TracedKafkaConsumer/Configuration/handlerTimeout``.
public struct KafkaHandlerTimeout: Error, CustomStringConvertible {
    /// The limit that was exceeded.
    public let timeout: Duration
    /// Says how long the handler was given.
    public var description: String { "the handler did not finish within \(timeout)" }
}
