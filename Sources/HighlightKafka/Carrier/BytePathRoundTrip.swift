public import HighlightPropagation
public import HighlightKafkaClient
public import Instrumentation

/// One message's propagation on the byte path, as the traced producer and consumer run it, for the micro-benchmarks
/// (`InjectExtract.FullContext.MessageBytes*`): the context's headers written as the producer writes them into a
/// message, then a consumed message's headers read as the consumer's worker reads them, into the values its span
/// starts from (no `ServiceContext` is made on either side, as on the clients' paths).
///
/// The public round trips (`ServiceContext.inject(into:instrument:)` on a `[KafkaHeader]`, then
/// `ServiceContext.extract(from:instrument:)`) measure the carrier as well: a header array and a value array per
/// header made on the way out, a context on the way in. The clients make neither: the producer writes into
/// librdkafka's own header list (whose allocations are librdkafka's, and the same for the plain client sending the
/// same headers), and the consumer reads the headers the plain client hands over anyway. Here the producer's list is a
/// block of bytes kept between messages, and the consumed headers are those the first write produced.
///
/// Not API: `@_spi(Benchmarks)`, no stability promised.
@_spi(Benchmarks)
public struct BytePathRoundTrip {
    private let propagator: HighlightPropagator
    private let context: ServiceContext
    private var outgoing = HeaderBlock()
    private let consumed: [KafkaHeader]
    private var memo: ByteExtractionMemo

    /// - Parameters:
    ///   - context: the context each message sends.
    ///   - propagator: writes and reads the headers.
    ///   - sameSessionInARow: `true` for the consumer's usual case, consecutive messages of a partition sent under
    ///     one session (the session and baggage are decoded once and reused while their bytes repeat); `false` to
    ///     decode and check them on every message, as for a new session each time.
    public init(context: ServiceContext, propagator: HighlightPropagator, sameSessionInARow: Bool) {
        self.propagator = propagator
        self.context = context
        var first = HeaderBlock()
        propagator.injectBytes(context, into: &first)
        consumed = first.headers
        memo = sameSessionInARow ? ByteExtractionMemo() : .none
    }

    /// The headers one message carries (what the consumer reads), for checking the round trip.
    public var consumedHeaders: [KafkaHeader] { consumed }

    /// Writes the context's headers as the producer does, then reads a consumed message's as the consumer does.
    ///
    /// - Returns: the session the consumer restored, if any.
    public mutating func run() -> HighlightRequestContext? {
        outgoing.removeAll()
        propagator.injectBytes(context, into: &outgoing)
        return propagator.extractedValues(from: KafkaHeadersByteSource(headers: consumed), memo: &memo).request
    }

    /// What the consumer restores from the consumed headers, as a context (made here, for checking, not by `run()`).
    ///
    /// - Returns: the restored context.
    public mutating func restoredContext() -> ServiceContext {
        propagator.extractedValues(from: KafkaHeadersByteSource(headers: consumed), memo: &memo).context
    }
}
