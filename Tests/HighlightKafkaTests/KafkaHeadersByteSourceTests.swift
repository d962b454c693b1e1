import Foundation
import HighlightKafkaClient
@testable import HighlightKafka
import HighlightPropagation
import HighlightTracing
import Instrumentation
import Testing
import Tracing

/// The byte path the traced consumer takes for this package's instruments must restore exactly what the `String`
/// path restores, and count the same refusals, for valid, generated and hostile headers.
@Suite("Kafka headers: byte extraction against String extraction")
struct KafkaHeadersByteSourceTests {
    typealias Generator = KafkaHeadersByteSinkTests.Generator

    /// Hostile headers: repeated names in any case, headers without a value, values of random bytes (invalid UTF-8,
    /// control characters, oversize), next to realistic ones.
    static func hostile(_ generator: inout Generator) -> [KafkaHeader] {
        let names = ["x-highlight-request", "X-HIGHLIGHT-REQUEST", "traceparent", "TraceParent", "tracestate", "baggage", "Baggage", "other", "traceparen"]
        let realistic: [[UInt8]] = [
            Array("sess1/req1".utf8), Array("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".utf8),
            Array("congo=t61rcWkgMzE".utf8), Array("tenant=acme,x-highlight-request=sess2%2Freq2".utf8),
            Array(" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\t".utf8), [0xFF, 0xFE], [0xC3], Array(repeating: 0x61, count: 9_000),
        ]
        return (0..<Int(generator.next() % 7)).map { _ in
            let value: [UInt8]?
            switch generator.next() % 4 {
            case 0: value = nil
            case 1: value = (0..<Int(generator.next() % 80)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            default: value = generator.pick(realistic)
            }
            return KafkaHeader(name: generator.pick(names), value: value)
        }
    }

    /// What a context would send onward (every rule of extraction shows in it) and what it holds.
    static func summary(_ context: ServiceContext, _ instrument: any Instrument) -> String {
        var sent: [String: String] = [:]
        context.inject(into: &sent, using: DictionaryInjector(), instrument: instrument)
        return "\(sent.sorted { $0.key < $1.key }) \(String(describing: context.highlightRequest)) \(String(describing: context.w3cTraceContext)) \(String(describing: context.baggage))"
    }

    @Test func bothPathsRestoreAndCountTheSameForFourThousandCarriers() {
        var generator = Generator(state: 7)
        let configurations: [HighlightPropagator.Configuration] = [
            .init(), .init(mirrorSessionIntoBaggage: false, forwardTraceContext: false), .init(limits: PropagationLimits(maximumHighlightRequestBytes: 20)),
        ]
        var restored = 0
        for index in 0..<4_000 {
            let headers = index % 2 == 0
                ? Self.hostile(&generator)
                : KafkaHeadersByteSinkTests.inbound(&generator).map { KafkaHeader(name: $0.key, string: $0.value) }
            let configuration = configurations[index % configurations.count]
            let stringStatistics = PropagationStatistics()
            let byteStatistics = PropagationStatistics()
            let viaStrings = ServiceContext.extract(
                from: headers, using: KafkaHeadersExtractor(), instrument: HighlightPropagator(configuration: configuration, statistics: stringStatistics)
            )
            let viaBytes = ServiceContext.extract(
                from: headers, instrument: HighlightPropagator(configuration: configuration, statistics: byteStatistics)
            )
            let reference = HighlightPropagator(configuration: configuration, statistics: PropagationStatistics())
            #expect(Self.summary(viaBytes, reference) == Self.summary(viaStrings, reference), "case \(index): \(headers)")
            #expect(byteStatistics.snapshot == stringStatistics.snapshot, "case \(index): \(headers)")
            // The tracer's extraction is its propagator's, on the byte path too.
            let tracer = HighlightTracer(configuration: .init(propagation: configuration), queue: nil)
            #expect(Self.summary(ServiceContext.extract(from: headers, instrument: tracer), reference) == Self.summary(viaStrings, reference))
            if viaStrings.highlightRequest != nil || viaStrings.w3cTraceContext != nil { restored += 1 }
        }
        #expect(restored > 1_000, "the cases restore something often enough to compare: \(restored)")
    }

    /// A partition's worker keeps one memo for all its messages: what it reuses must restore and count exactly what a
    /// fresh String extraction does, across runs of the same session with different trace parents, carriers that
    /// differ in one byte, and hostile ones.
    @Test func aMemoAcrossManyCarriersRestoresAndCountsAsAFreshExtraction() {
        var generator = Generator(state: 11)
        let configurations: [HighlightPropagator.Configuration] = [.init(), .init(limits: PropagationLimits(maximumHighlightRequestBytes: 20))]
        for configuration in configurations {
            var memo = ByteExtractionMemo()
            let stringStatistics = PropagationStatistics()
            let byteStatistics = PropagationStatistics()
            let reference = HighlightPropagator(configuration: configuration, statistics: PropagationStatistics())
            let byBytes = HighlightPropagator(configuration: configuration, statistics: byteStatistics)
            // The values the traced consumer starts a span from, made into a context afterwards: the same context.
            var valuesMemo = ByteExtractionMemo()
            let valueStatistics = PropagationStatistics()
            let byValues = HighlightPropagator(configuration: configuration, statistics: valueStatistics)
            for index in 0..<3_000 {
                var headers = index % 3 == 0
                    ? Self.hostile(&generator)
                    : KafkaHeadersByteSinkTests.inbound(&generator).map { KafkaHeader(name: $0.key, string: $0.value) }
                for repeat_ in 0..<Int(generator.next() % 4) {
                    if repeat_ == 2, let last = headers.indices.last, var value = headers[last].value, !value.isEmpty {
                        value[value.count - 1] ^= 1  // one byte differs
                        headers[last].value = value
                    }
                    if repeat_ == 1 {
                        headers.append(KafkaHeader(name: "traceparent", string: "00-4bf92f3577b34da6a3ce929d0e0e47\(String(format: "%02x", index % 256))-00f067aa0ba902b7-01"))
                    }
                    let viaStrings = ServiceContext.extract(
                        from: headers, using: KafkaHeadersExtractor(), instrument: HighlightPropagator(configuration: configuration, statistics: stringStatistics)
                    )
                    var viaBytes = ServiceContext.topLevel
                    byBytes.extractBytes(from: KafkaHeadersByteSource(headers: headers), into: &viaBytes, memo: &memo)
                    #expect(Self.summary(viaBytes, reference) == Self.summary(viaStrings, reference), "case \(index).\(repeat_): \(headers)")
                    let viaValues = byValues.extractedValues(from: KafkaHeadersByteSource(headers: headers), memo: &valuesMemo)
                    #expect(Self.summary(viaValues.context, reference) == Self.summary(viaStrings, reference), "values, case \(index).\(repeat_)")
                    #expect(viaValues.request == viaStrings.highlightRequest)
                }
            }
            #expect(byteStatistics.snapshot == stringStatistics.snapshot)
            #expect(valueStatistics.snapshot == stringStatistics.snapshot)
            #expect(byteStatistics.snapshot.totalRejections > 100, "refusals were counted again on reuse: \(byteStatistics.snapshot)")
            #expect(memo.hits > 500, "the memo was used: \(memo.hits) hits")
        }
    }

    /// A worker's messages of one session share that session's values (one reference: what they send onward is
    /// worked out once), each with its own trace parent; another session, or a carrier the memo does not keep (two
    /// `baggage` headers), has values of its own, and a memo that keeps nothing shares nothing.
    @Test func messagesOfOneSessionShareItsValues() throws {
        let propagator = HighlightPropagator(statistics: PropagationStatistics())
        func headers(_ session: String, parent: Int, baggage: [String] = ["tenant=acme"]) -> [KafkaHeader] {
            [
                KafkaHeader(name: "x-highlight-request", string: session),
                KafkaHeader(name: "traceparent", string: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902\(String(format: "%02x", parent))-01"),
            ] + baggage.map { KafkaHeader(name: "baggage", string: $0) }
        }
        func extract(_ headers: [KafkaHeader], _ memo: inout ByteExtractionMemo) -> ExtractedValues {
            propagator.extractedValues(from: KafkaHeadersByteSource(headers: headers), memo: &memo)
        }
        var memo = ByteExtractionMemo()
        let first = extract(headers("sess1/req1", parent: 1), &memo)
        let second = extract(headers("sess1/req1", parent: 2), &memo)
        let shared = try #require(first.session)
        #expect(second.session === shared)
        #expect(first.traceParent?.spanID != second.traceParent?.spanID)
        #expect(second.context.traceParent?.spanID == 0x00f0_67aa_0ba9_0202, "the context made from shared values still holds its own trace parent")

        let other = extract(headers("sess2/req2", parent: 3), &memo)
        #expect(other.session !== shared)
        #expect(other.request?.headerValue == "sess2/req2")
        #expect(extract(headers("sess2/req2", parent: 4), &memo).session === other.session)

        let twoBaggages = headers("sess2/req2", parent: 5, baggage: ["tenant=acme", "plan=pro"])
        let unkept = [extract(twoBaggages, &memo), extract(twoBaggages, &memo)]
        #expect(unkept[0].session !== unkept[1].session)
        #expect(unkept[0].session !== other.session)
        #expect(unkept[0].context.baggage?["plan"] == "pro")
        #expect(extract(headers("sess2/req2", parent: 6), &memo).session === other.session, "the kept session is still kept")

        var keepsNothing = ByteExtractionMemo.none
        #expect(extract(headers("sess1/req1", parent: 1), &keepsNothing).session !== extract(headers("sess1/req1", parent: 1), &keepsNothing).session)
    }

    /// The memo keeps the last `tracestate`'s reading: a repeated value restores what a fresh reading restores (a
    /// normalised one included), a refused one is counted on every message, and a value one byte apart is read anew.
    @Test func aRepeatedTraceStateRestoresAndCountsAsAFreshReading() {
        let values = [
            " congo=t61rcWkgMzE , ,rojo=00f067aa0ba902b7", " congo=t61rcWkgMzE , ,rojo=00f067aa0ba902b7",
            "congo=t61rcWkgMzE", "congo=t61rcWkgMzE", "congo=t61rcWkgMzF", "Bad Key=1", "Bad Key=1", "", "",
        ]
        let stringStatistics = PropagationStatistics()
        let byteStatistics = PropagationStatistics()
        let reference = HighlightPropagator(statistics: PropagationStatistics())
        let byValues = HighlightPropagator(statistics: byteStatistics)
        var memo = ByteExtractionMemo()
        for (index, value) in values.enumerated() {
            let headers = [
                KafkaHeader(name: "traceparent", string: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902\(String(format: "%02x", index + 1))-01"),
                KafkaHeader(name: "tracestate", string: value),
            ]
            let viaStrings = ServiceContext.extract(
                from: headers, using: KafkaHeadersExtractor(), instrument: HighlightPropagator(statistics: stringStatistics)
            )
            let viaValues = byValues.extractedValues(from: KafkaHeadersByteSource(headers: headers), memo: &memo)
            #expect(Self.summary(viaValues.context, reference) == Self.summary(viaStrings, reference), "message \(index): \(value)")
        }
        #expect(byteStatistics.snapshot == stringStatistics.snapshot)
        #expect(byteStatistics.snapshot.totalRejections == 2, "the refused value counted on both messages: \(byteStatistics.snapshot)")
    }

    @Test func anotherInstrumentReadsThroughTheExtractor() {
        struct Marker: Instrument {
            enum Key: ServiceContextKey { typealias Value = String }
            func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
            where Extract.Carrier == Carrier {
                context[Key.self] = extractor.extract(key: "marker", from: carrier)
            }
            func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
            where Inject.Carrier == Carrier {}
        }
        let context = ServiceContext.extract(from: [KafkaHeader(name: "MARKER", string: "yes")], instrument: Marker())
        #expect(context[Marker.Key.self] == "yes")
    }
}
