@_spi(Benchmarks) import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Instrumentation
import Testing

/// The round trip the `InjectExtract.FullContext.MessageBytes*` micro-benchmarks time must do the work it claims:
/// write what the `String` path writes, and restore on every run what a fresh extraction restores.
@Suite("Byte path round trip of the micro-benchmarks")
struct BytePathRoundTripTests {
    static let inbound = [
        "x-highlight-request": "k3bP0aQeR7tYuI9oPlKjHgFdSa1A/a1B2c3D4e5",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "tracestate": "congo=t61rcWkgMzE",
        "baggage": "tenant=acme,plan=gold",
    ]

    @Test(arguments: [true, false])
    func everyRunWritesAndRestoresTheFullContext(sameSessionInARow: Bool) {
        let propagator = HighlightPropagator(statistics: PropagationStatistics())
        let context = ServiceContext.extract(from: Self.inbound, instrument: propagator)
        var viaStrings: [KafkaHeader] = []
        context.inject(into: &viaStrings, using: KafkaHeadersInjector(), instrument: propagator)

        var roundTrip = BytePathRoundTrip(context: context, propagator: propagator, sameSessionInARow: sameSessionInARow)
        let written = roundTrip.consumedHeaders.map { "\($0.name)=\($0.stringValue ?? "-")" }.sorted()
        #expect(written == viaStrings.map { "\($0.name)=\($0.stringValue ?? "-")" }.sorted())
        #expect(written.count == 4)

        let expected = context.highlightRequest
        #expect(expected?.sessionSecureID == "k3bP0aQeR7tYuI9oPlKjHgFdSa1A")
        for _ in 0..<3 {
            #expect(roundTrip.run() == expected)
        }
        // What the String path restores from the same headers (the outgoing baggage mirrors the session).
        let viaStringPath = ServiceContext.extract(from: viaStrings, using: KafkaHeadersExtractor(), instrument: propagator)
        let restored = roundTrip.restoredContext()
        #expect(restored.highlightRequest == expected)
        #expect(restored.w3cTraceContext == context.w3cTraceContext)
        #expect(restored.baggage == viaStringPath.baggage)
        #expect(restored.baggage?["tenant"] == "acme")
    }
}
