import Foundation
import HTTPTypes
import HighlightPropagation
import Instrumentation
import Logging
import PropertyBased
import Testing
import W3CTraceContext

@Suite("Propagation properties")
struct PropagationPropertyTests {
    static let session = Gen.letterOrNumber.string(of: 1...28)
    static let request = Gen.letterOrNumber.string(of: 0...32)
    static let baggageValue = Gen<UInt8>.value(in: 0...255).array(of: 0...24).map { String(decoding: $0, as: UTF8.self) }
    static let anyBytes = Gen<UInt8>.value(in: 0...255).array(of: 0...300)
    static let hostileAlphabet: [UInt8] = Array("/%,;= \t\r\n\0aZ9-~é".utf8) + [0x7F, 0xFF, 0xC3, 0x80]
    static let hostileBytes = Gen.int(in: 0..<hostileAlphabet.count).map { hostileAlphabet[$0] }.array(of: 0...300)

    let propagator = HighlightPropagator(statistics: PropagationStatistics())

    /// `make fuzz` sets FUZZ_COUNT=1000000; `make test` runs a reduced count.
    static let hostileCount = Int(ProcessInfo.processInfo.environment["FUZZ_COUNT"] ?? "") ?? 2000

    /// A context with every field set, from generated parts.
    func makeContext(session: String, request: String, baggageValue: String) -> ServiceContext {
        var context = ServiceContext.topLevel
        context.highlightRequest = HighlightRequestContext(sessionSecureID: session, requestID: request)
        var baggage = W3CBaggage()
        baggage["app.value"] = baggageValue
        baggage["tenant"] = "acme"
        context.baggage = baggage
        return context
    }

    func assertSameContext(_ extracted: ServiceContext, _ original: ServiceContext) {
        #expect(extracted.highlightRequest == original.highlightRequest)
        #expect(extracted.baggage?["app.value"] == original.baggage?["app.value"])
        #expect(extracted.baggage?["tenant"] == "acme")
    }

    @Test func injectThenExtractIsTheIdentityInEveryCarrier() async {
        await propertyCheck(count: 500, input: Self.session, Self.request, Self.baggageValue) { session, request, value in
            let original = makeContext(session: session, request: request, baggageValue: value)

            var dictionary: [String: String] = [:]
            original.inject(into: &dictionary, using: DictionaryInjector(), instrument: propagator)
            assertSameContext(ServiceContext.extract(from: dictionary, instrument: propagator), original)

            var fields = HTTPFields()
            original.inject(into: &fields, using: HTTPFieldsInjector(), instrument: propagator)
            assertSameContext(ServiceContext.extract(from: fields, instrument: propagator), original)

            var headers = TestHeaders()
            original.inject(into: &headers, using: TestHeadersInjector(), instrument: propagator)
            assertSameContext(ServiceContext.extract(from: headers, using: TestHeadersExtractor(), instrument: propagator), original)
        }
    }

    @Test func randomBytesNeverCrashAndNeverYieldControlCharacters() async {
        await propertyCheck(count: Self.hostileCount / 2, input: Self.anyBytes, Self.hostileBytes) { random, hostile in
            for bytes in [random, hostile] {
                let text = String(decoding: bytes, as: UTF8.self)
                var carrier = TestHeaders()
                for name in PropagationHeader.all { carrier.entries.append((name, bytes)) }
                let fromHeaders = ServiceContext.extract(from: carrier, using: TestHeadersExtractor(), instrument: propagator)
                let fromDictionary = ServiceContext.extract(
                    from: Dictionary(uniqueKeysWithValues: PropagationHeader.all.map { ($0, text) }),
                    instrument: propagator
                )
                for context in [fromHeaders, fromDictionary] {
                    var outbound: [String: String] = [:]
                    context.inject(into: &outbound, using: DictionaryInjector(), instrument: propagator)
                    for value in outbound.values {
                        #expect(value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "only printable ASCII may go out")
                    }
                    if let request = context.highlightRequest {
                        #expect(request.headerValue.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
                    }
                }
            }
        }
    }

    /// Hostile carriers: random bytes, invalid UTF-8, CR/LF, percent-encoding traps, oversize values, thousands of
    /// baggage members, each header repeated. Nothing traps, and every value is either restored or counted as refused:
    /// for baggage, restored members plus counted refusals equal the non-empty members sent.
    @Test func hostileCarriersAreRestoredOrCountedNeverCrash() async {
        let shapes = Gen.int(in: 0...3)
        let copies = Gen.int(in: 1...3)
        await propertyCheck(count: max(Self.hostileCount / 8, 250), input: Self.hostileBytes, shapes, copies) { bytes, shape, copies in
            let value: [UInt8] =
                switch shape {
                case 0: bytes
                case 1: Array(repeating: bytes + Array("a=b,".utf8), count: 40).flatMap { $0 }  // oversize
                case 2: Array((0..<2_000).map { "k\($0)=v" }.joined(separator: ",").utf8) + bytes  // thousands of members
                default: Array("%".utf8) + bytes + Array("%G1%%2".utf8)  // percent-encoding traps
                }
            let statistics = PropagationStatistics()
            let propagator = HighlightPropagator(statistics: statistics)
            let text = String(decoding: value, as: UTF8.self)
            func extract(_ name: String, also extra: [(String, [UInt8])] = []) -> (ServiceContext, before: PropagationStatistics.Snapshot) {
                var carrier = TestHeaders()
                carrier.entries = extra
                for _ in 0..<copies { carrier.entries.append((name, value)) }
                let before = statistics.snapshot
                return (ServiceContext.extract(from: carrier, using: TestHeadersExtractor(), instrument: propagator), before)
            }
            func refused(_ field: PropagationRejection.Field, since before: PropagationStatistics.Snapshot) -> Int {
                let now = statistics.snapshot.rejections
                return now.filter { $0.key.field == field }.values.reduce(0, +)
                    - before.rejections.filter { $0.key.field == field }.values.reduce(0, +)
            }
            let blank = value.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }

            let (request, requestBefore) = extract(PropagationHeader.highlightRequest)
            #expect(refused(.highlightRequest, since: requestBefore) == (request.highlightRequest != nil || blank ? 0 : 1))

            let (parent, parentBefore) = extract(PropagationHeader.traceParent)
            #expect(refused(.traceParent, since: parentBefore) == (parent.w3cTraceContext != nil ? 0 : 1))

            let validParent = (PropagationHeader.traceParent, Array("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".utf8))
            let (state, stateBefore) = extract(PropagationHeader.traceState, also: [validParent])
            let members = Self.nonEmptyMembers(of: value) * copies
            let stateKept = state.w3cTraceContext.map { !$0.state.isEmpty } ?? false
            #expect(state.w3cTraceContext != nil, "a refused tracestate never costs the traceparent")
            #expect(refused(.traceState, since: stateBefore) == (stateKept || members == 0 ? 0 : 1))

            let (baggage, baggageBefore) = extract(PropagationHeader.baggage)
            let kept = baggage.baggage?.members.count ?? 0
            #expect(kept + refused(.baggage, since: baggageBefore) == members, "each member kept or counted")

            // The same values through a single-valued carrier.
            let dictionary = Dictionary(uniqueKeysWithValues: PropagationHeader.all.map { ($0, text) })
            let before = statistics.snapshot
            _ = ServiceContext.extract(from: dictionary, instrument: propagator)
            #expect(statistics.snapshot.extractions == before.extractions + 1)
        }
    }

    /// Baggage members, well-formed and not: canonical ones (kept as text and forwarded as they came) mixed with every
    /// shape that needs the full parse (whitespace, properties, lowercase or needless escapes, non-ASCII, mirrors
    /// in another case or with another value, empty and malformed members).
    static let baggageMembers = [
        "tenant=acme", "plan=gold", "k=", "k=%25", "k=v%20w", "x-highlight-request=sess/req", "x-highlight-request=sess%2Freq",
        "X-Highlight-Request=sess/req", "x-highlight-request=other/1", "x-highlight-request=%0D%0A/1", "x-highlight-request=",
        "k=%41", "k=%2f", "k=%2c", "k=%2C", "k=%E2%82%AC", " k=v", "k=v ", "k=v;p=1", "k=v;p", "", "bad", "k=a\"b", "k=é", "k=%G1", "a=1,b=2",
    ]
    static let baggageText = Gen.int(in: 0..<baggageMembers.count).map { baggageMembers[$0] }.array(of: 0...6)
        .map { $0.joined(separator: ",") }
    static let requestHeader = Gen.int(in: 0...3).map { ["sess/req", "other/1", "bad\r\n/1", ""][$0] }

    /// A baggage kept as it came (one header, already in written form) must give exactly what the full parse gives:
    /// the same members, session, refusals and forwarded text, with mirroring on and off. The full parse is forced
    /// by sending the same value with an empty second `baggage` header, which adds nothing.
    @Test func baggageKeptAsTextMatchesTheFullParse() async {
        await propertyCheck(count: 2_000, input: Self.baggageText, Self.requestHeader, Gen.int(in: 0...9)) { text, request, repeats in
            // Sometimes past the default limit of 180 members.
            let baggage = repeats == 0 ? Array(repeating: text.isEmpty ? "m=1" : text, count: 200).joined(separator: ",") : text
            for mirroring in [true, false] {
                var results: [(ServiceContext, PropagationStatistics.Snapshot, TestHeaders)] = []
                for extra in [[], [("baggage", [UInt8]())]] as [[(String, [UInt8])]] {
                    let statistics = PropagationStatistics()
                    let propagator = HighlightPropagator(
                        configuration: .init(mirrorSessionIntoBaggage: mirroring, logger: Logger(label: "test")),
                        statistics: statistics
                    )
                    var carrier = TestHeaders()
                    if !request.isEmpty { carrier.entries.append(("x-highlight-request", Array(request.utf8))) }
                    carrier.entries.append(("baggage", Array(baggage.utf8)))
                    carrier.entries += extra
                    let context = ServiceContext.extract(from: carrier, using: TestHeadersExtractor(), instrument: propagator)
                    var outbound = TestHeaders()
                    context.inject(into: &outbound, using: TestHeadersInjector(), instrument: propagator)
                    results.append((context, statistics.snapshot, outbound))
                }
                let (kept, parsed) = (results[0], results[1])
                #expect(kept.0.baggage == parsed.0.baggage, "members of \(baggage)")
                #expect(kept.0.highlightRequest == parsed.0.highlightRequest, "session from \(request) and \(baggage)")
                #expect(kept.1 == parsed.1, "refusals counted for \(baggage)")
                #expect(kept.2 == parsed.2, "forwarded from \(baggage), mirroring \(mirroring)")
            }
        }
    }

    /// Members of a list value that are not empty once spaces and tabs are trimmed.
    static func nonEmptyMembers(of value: [UInt8]) -> Int {
        value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            .filter { member in member.contains { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") } }
            .count
    }

    @Test func everyParserSurvivesRandomInput() async {
        await propertyCheck(count: Self.hostileCount, input: Self.hostileBytes) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? HighlightRequestContext.parse(text)
            _ = W3CBaggage.parse([text, text])
            _ = W3CTraceContextParser.parse(traceParent: text, traceState: text)
            let withState = W3CTraceContextParser.parse(traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", traceState: text)
            #expect(withState.traceContext != nil, "a bad tracestate never costs a valid traceparent")
        }
    }
}
