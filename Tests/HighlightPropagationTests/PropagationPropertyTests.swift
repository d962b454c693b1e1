import Foundation
import HTTPTypes
import HighlightPropagation
import Instrumentation
import PropertyBased
import Testing

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

    @Test func everyParserSurvivesRandomInput() async {
        await propertyCheck(count: Self.hostileCount, input: Self.hostileBytes) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? HighlightRequestContext.parse(text)
            _ = W3CBaggage.parse([text, text])
            _ = W3CTraceContextParser.parse(traceParent: text, traceState: text)
            _ = W3CTraceContextParser.parse(traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", traceState: text)
            #expect(Bool(true), "reaching here means no parser trapped")
        }
    }
}
