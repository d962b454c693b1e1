import HighlightKafkaClient
@testable import HighlightKafka
import HighlightPropagation
import HighlightTracing
import Instrumentation
import Testing
import Tracing

/// The byte path the traced producer takes for this package's instruments must write exactly what the `String` path
/// writes: same headers, same order, same bytes, same replacement of the user's headers, for valid and hostile input.
@Suite("Kafka headers: byte path against String path")
struct KafkaHeadersByteSinkTests {
    /// A small deterministic generator (SplitMix64), so a failure names a reproducible case.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        mutating func pick<T>(_ choices: [T]) -> T { choices[Int(next() % UInt64(choices.count))] }
        mutating func text(_ alphabet: [String], upTo length: Int) -> String {
            (0..<Int(next() % UInt64(length + 1))).map { _ in pick(alphabet) }.joined()
        }
    }

    static let alphabet = ["a", "Z", "0", "9", "-", "_", ".", "/", "%", "=", ",", ";", " ", "\t", "é", "\r\n", "\u{0}", "😀", "%2F", "%ZZ"]

    static func inbound(_ generator: inout Generator) -> [String: String] {
        var headers: [String: String] = [:]
        if generator.next() % 4 != 0 {
            headers[generator.pick(["x-highlight-request", "X-Highlight-Request"])] =
                generator.pick(["sess1/req1", "sess1/", "noslash", "/req", "", String(repeating: "s", count: 300) + "/r"]) + generator.text(alphabet, upTo: 3)
        }
        if generator.next() % 3 != 0 {
            headers["traceparent"] = generator.pick([
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03",
                "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "garbage", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            ])
            if generator.next() % 2 == 0 { headers["tracestate"] = generator.pick(["congo=t61rcWkgMzE", "a=1,b=2", "bad key=1", ""]) }
        }
        if generator.next() % 2 == 0 {
            let members = (0..<Int(generator.next() % 4)).map { _ in
                generator.pick(["tenant", "plan", "X-Highlight-Request", "k"]) + "=" + generator.text(alphabet, upTo: 6)
            }
            headers["baggage"] = members.joined(separator: generator.pick([",", ", ", ",,"]))
        }
        return headers
    }

    @Test func bothPathsWriteTheSameHeadersForTwoThousandGeneratedContexts() {
        var generator = Generator(state: 42)
        let instruments: [any Instrument] = [
            HighlightPropagator(statistics: PropagationStatistics()),
            HighlightPropagator(configuration: .init(mirrorSessionIntoBaggage: false, forwardTraceContext: false), statistics: PropagationStatistics()),
            HighlightTracer(queue: nil),
        ]
        var withTraceParent = 0
        for index in 0..<2_000 {
            let instrument = instruments[index % instruments.count]
            var context = ServiceContext.extract(from: Self.inbound(&generator), instrument: instrument)
            if let tracer = instrument as? HighlightTracer, generator.next() % 2 == 0 {
                context = tracer.startSpan("send", context: context, ofKind: .producer).context
            }
            let existing = [
                KafkaHeader(name: "content-type", string: "json"),
                KafkaHeader(name: generator.pick(["X-Highlight-Request", "TRACEPARENT", "other"]), string: "stale"),
            ]
            var viaStrings = existing
            context.inject(into: &viaStrings, using: KafkaHeadersInjector(), instrument: instrument)
            var viaBytes = existing
            KafkaHeadersByteSink.inject(context, into: &viaBytes, resolved: instrument)
            #expect(viaBytes == viaStrings, "case \(index)")
            if viaBytes.contains(where: { $0.name == "traceparent" }) { withTraceParent += 1 }
        }
        #expect(withTraceParent > 500, "the cases exercise traceparent formatting: \(withTraceParent)")
    }

    @Test func anotherInstrumentTakesTheStringPath() {
        struct Marker: Instrument {
            func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
            where Extract.Carrier == Carrier {}
            func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
            where Inject.Carrier == Carrier {
                injector.inject("yes", forKey: "marker", into: &carrier)
            }
        }
        var headers: [KafkaHeader] = []
        KafkaHeadersByteSink.inject(.topLevel, into: &headers, resolved: Marker())
        #expect(headers == [KafkaHeader(name: "marker", string: "yes")])
    }
}
