import HTTPTypes
import HighlightPropagation
import InMemoryTracing
import Instrumentation
import Testing
import Tracing
import W3CTraceContext

@Suite("HighlightPropagator")
struct HighlightPropagatorTests {
    static let traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03"

    let statistics = PropagationStatistics()
    var propagator: HighlightPropagator { HighlightPropagator(statistics: statistics) }

    func extract(_ headers: [String: String]) -> ServiceContext {
        ServiceContext.extract(from: headers, instrument: propagator)
    }

    @Test func extractsEveryFieldFromADictionary() throws {
        let context = extract([
            "X-Highlight-Request": "sess1/req1",
            "traceparent": Self.traceParent,
            "tracestate": "congo=t61rcWkgMzE",
            "baggage": "tenant=acme",
        ])
        #expect(context.highlightRequest == HighlightRequestContext(sessionSecureID: "sess1", requestID: "req1"))
        #expect(context.w3cTraceContext?.traceParentHeaderValue == Self.traceParent)
        #expect(context.w3cTraceContext?.traceStateHeaderValue == "congo=t61rcWkgMzE")
        #expect(context.baggage?["tenant"] == "acme")
        #expect(statistics.snapshot.highlightRequestsExtracted == 1)
        #expect(statistics.snapshot.totalRejections == 0)
    }

    /// A propagator is a value: setting one copy's configuration changes what that copy injects and nothing else,
    /// and both keep counting into the same statistics.
    @Test func settingTheConfigurationChangesOnlyThatCopy() throws {
        let inbound = extract(["x-highlight-request": "sess1/req1", "baggage": "tenant=acme"])
        var changed = propagator
        let unchanged = changed
        changed.configuration.mirrorSessionIntoBaggage = false
        #expect(!changed.configuration.mirrorSessionIntoBaggage)
        #expect(unchanged.configuration.mirrorSessionIntoBaggage)
        #expect(changed.statistics === unchanged.statistics)

        var fromChanged: [String: String] = [:]
        var fromUnchanged: [String: String] = [:]
        inbound.inject(into: &fromChanged, using: DictionaryInjector(), instrument: changed)
        inbound.inject(into: &fromUnchanged, using: DictionaryInjector(), instrument: unchanged)
        #expect(fromChanged["baggage"] == "tenant=acme")
        #expect(fromUnchanged["baggage"] == "tenant=acme,x-highlight-request=sess1/req1")
    }

    @Test func injectsLowercaseNamesWithReplaceSemanticsAndKeepsOtherHeaders() throws {
        let inbound = extract(["x-highlight-request": "sess1/req1", "traceparent": Self.traceParent, "baggage": "tenant=acme"])
        var outbound = ["X-Highlight-Request": "stale/0", "TRACEPARENT": "junk", "content-type": "application/json"]
        inbound.inject(into: &outbound, using: DictionaryInjector(), instrument: propagator)
        #expect(outbound == [
            "x-highlight-request": "sess1/req1",
            "traceparent": Self.traceParent,
            "baggage": "tenant=acme,x-highlight-request=sess1/req1",
            "content-type": "application/json",
        ])
    }

    /// Values already in the form sent are forwarded as they came (nothing is re-formatted); the others are sent in
    /// that form, never verbatim.
    @Test(arguments: [
        ("sess1/req1", Self.traceParent, "sess1/req1", Self.traceParent),
        ("  sess1/req1\t", " \(Self.traceParent)\t", "sess1/req1", Self.traceParent),
        ("sess1/req1/extra", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-future", "sess1/req1", Self.traceParent),
        ("noslash", Self.traceParent, "noslash/", Self.traceParent),
        ("sess1/", Self.traceParent, "sess1/", Self.traceParent),
    ])
    func forwardedValuesAreSentInTheirCanonicalForm(inbound: (String, String, String, String)) {
        let (request, traceParent, expectedRequest, expectedTraceParent) = inbound
        let context = extract(["x-highlight-request": request, "traceparent": traceParent, "baggage": "tenant=acme"])
        var outbound: [String: String] = [:]
        context.inject(into: &outbound, using: DictionaryInjector(), instrument: propagator)
        #expect(outbound["x-highlight-request"] == expectedRequest)
        #expect(outbound["traceparent"] == expectedTraceParent)
        #expect(outbound["baggage"] == "tenant=acme,x-highlight-request=\(expectedRequest)")
    }

    @Test func theSessionMirrorReplacesEveryEarlierMemberOfItsNameWhereverItStood() {
        let context = extract([
            "x-highlight-request": "new/1",
            "baggage": "X-Highlight-Request=old%2F0,tenant=acme,x-highlight-request=old/0,plan=gold",
        ])
        var outbound: [String: String] = [:]
        context.inject(into: &outbound, using: DictionaryInjector(), instrument: propagator)
        #expect(outbound["baggage"] == "tenant=acme,plan=gold,x-highlight-request=new/1")
    }

    @Test func lastValueWinsAndLowercaseSpellingWinsInADictionary() {
        let context = extract(["X-Highlight-Request": "upper/1", "x-highlight-request": "lower/2"])
        #expect(context.highlightRequest?.sessionSecureID == "lower")

        var headers = TestHeaders()
        headers.entries = [("x-highlight-request", Array("first/1".utf8)), ("X-HIGHLIGHT-REQUEST", Array("last/2".utf8))]
        let fromHeaders = ServiceContext.extract(from: headers, using: TestHeadersExtractor(), instrument: propagator)
        #expect(fromHeaders.highlightRequest?.sessionSecureID == "last")
    }

    @Test func baggageFallbackWhenTheHeaderIsAbsent() {
        // What highlight's Python SDK sends: only baggage, capitalised, percent-encoded.
        let context = extract(["baggage": "X-Highlight-Request=pysess%2Fpyreq,k=v"])
        #expect(context.highlightRequest == HighlightRequestContext(sessionSecureID: "pysess", requestID: "pyreq"))
    }

    @Test func theHeaderWinsOverBaggage() {
        let context = extract(["x-highlight-request": "header/1", "baggage": "x-highlight-request=baggage%2F2"])
        #expect(context.highlightRequest?.sessionSecureID == "header")
        var outbound: [String: String] = [:]
        context.inject(into: &outbound, using: DictionaryInjector(), instrument: propagator)
        #expect(outbound["baggage"] == "x-highlight-request=header/1")
    }

    @Test func aRefusedHeaderFallsBackToBaggageAndIsNeverForwarded() {
        let context = extract(["x-highlight-request": "evil\r\nx-injected: 1/r", "baggage": "x-highlight-request=good%2F1"])
        #expect(context.highlightRequest?.sessionSecureID == "good")
        var outbound: [String: String] = [:]
        context.inject(into: &outbound, using: DictionaryInjector(), instrument: propagator)
        #expect(!outbound.values.contains { $0.contains("evil") })
        #expect(statistics.snapshot.count(.highlightRequest, .controlCharacter) == 1)
    }

    @Test func aRefusedBaggageMirrorIsRemovedFromTheForwardedBaggage() {
        let context = extract(["baggage": "x-highlight-request=evil%0D%0Ax%2F1,keep=1"])
        #expect(context.highlightRequest == nil)
        #expect(context.baggage?.headerValue == "keep=1")
        #expect(statistics.snapshot.count(.highlightRequest, .controlCharacter) == 1)
    }

    @Test func eachFieldFailsAlone() throws {
        let context = extract([
            "x-highlight-request": "sess/req",
            "traceparent": Self.traceParent,
            "tracestate": "BAD STATE",
            "baggage": "no-equals-sign",
        ])
        #expect(context.highlightRequest?.sessionSecureID == "sess")
        #expect(context.w3cTraceContext?.traceParentHeaderValue == Self.traceParent)
        #expect(context.w3cTraceContext?.state.isEmpty == true)
        #expect(context.baggage == nil)
        let snapshot = statistics.snapshot
        #expect(snapshot.count(.traceState, .malformed) == 1)
        #expect(snapshot.count(.baggage, .malformed) == 1)
        #expect(snapshot.totalRejections == 2)

        let badParent = extract(["x-highlight-request": "sess/req", "traceparent": "garbage", "baggage": "k=v"])
        #expect(badParent.highlightRequest?.sessionSecureID == "sess")
        #expect(badParent.w3cTraceContext == nil)
        #expect(badParent.baggage?["k"] == "v")
    }

    @Test func noHeadersMeansNoContextAndNoRejections() {
        let context = extract(["content-type": "text/plain"])
        #expect(context.highlightRequest == nil)
        #expect(context.w3cTraceContext == nil)
        #expect(context.baggage == nil)
        #expect(statistics.snapshot.totalRejections == 0)
        #expect(statistics.snapshot.extractions == 1)
    }

    @Test func mirroringCanBeTurnedOff() {
        var configuration = HighlightPropagator.Configuration()
        configuration.mirrorSessionIntoBaggage = false
        let quiet = HighlightPropagator(configuration: configuration, statistics: statistics)
        let context = ServiceContext.extract(from: ["x-highlight-request": "s/r", "baggage": "k=v"], instrument: quiet)
        var outbound: [String: String] = [:]
        context.inject(into: &outbound, using: DictionaryInjector(), instrument: quiet)
        #expect(outbound == ["x-highlight-request": "s/r", "baggage": "k=v"])
    }

    @Test func httpFieldsCarrier() throws {
        var fields = HTTPFields()
        fields[HTTPField.Name("X-Highlight-Request")!] = "httpsess/httpreq"
        fields.append(HTTPField(name: HTTPField.Name("baggage")!, value: "a=1"))
        fields.append(HTTPField(name: HTTPField.Name("Baggage")!, value: "b=2"))
        fields[.contentType] = "application/json"
        let context = ServiceContext.extract(from: fields, instrument: propagator)
        #expect(context.highlightRequest?.requestID == "httpreq")
        #expect(context.baggage?.members.map(\.name) == ["a", "b"])

        var outbound = HTTPFields()
        outbound.append(HTTPField(name: HTTPField.Name("x-highlight-request")!, value: "old/1"))
        outbound.append(HTTPField(name: HTTPField.Name("x-highlight-request")!, value: "old/2"))
        context.inject(into: &outbound, using: HTTPFieldsInjector(), instrument: propagator)
        #expect(outbound[values: HTTPField.Name("x-highlight-request")!] == ["httpsess/httpreq"])
        #expect(outbound[HTTPField.Name("baggage")!] == "a=1,b=2,x-highlight-request=httpsess/httpreq")
    }

    @Test func aCarrierWrittenInTheTestWorksBothWays() throws {
        var inbound = TestHeaders()
        inbound.entries = [
            ("user-header", [0x00, 0xFF]),
            ("X-Highlight-Request", Array("ksess/kreq".utf8)),
            ("baggage", Array("a=1".utf8)),
            ("baggage", Array("b=2".utf8)),
            ("traceparent", Array(Self.traceParent.utf8)),
        ]
        let context = ServiceContext.extract(from: inbound, using: TestHeadersExtractor(), instrument: propagator)
        #expect(context.highlightRequest?.sessionSecureID == "ksess")
        #expect(context.baggage?.headerValue == "a=1,b=2")

        var outbound = TestHeaders()
        outbound.entries = [("user-header", [1, 2, 3]), ("x-highlight-request", Array("stale/1".utf8))]
        context.inject(into: &outbound, using: TestHeadersInjector(), instrument: propagator)
        #expect(outbound.entries.map(\.name) == ["user-header", "x-highlight-request", "traceparent", "baggage"])
        #expect(outbound.entries[0].value == [1, 2, 3])
        #expect(outbound.string("x-highlight-request") == "ksess/kreq")
        #expect(outbound.string("traceparent") == Self.traceParent)
    }

    @Test func aSingleValueExtractorIsEnough() {
        let carrier = [("x-highlight-request", "one/1"), ("baggage", "k=v")]
        let context = ServiceContext.extract(from: carrier, using: SingleValueExtractor(), instrument: propagator)
        #expect(context.highlightRequest?.sessionSecureID == "one")
        #expect(context.baggage?["k"] == "v")
    }

    /// A baggage kept as text is parsed, when read, under the limits it was accepted with, not the defaults (180
    /// members): raised limits keep all 250 members, with or without a session mirror that needs a second look.
    @Test func raisedBaggageLimitsHoldWhenAKeptBaggageIsRead() {
        var configuration = HighlightPropagator.Configuration()
        configuration.limits.maximumBaggageMembers = 300
        let raised = HighlightPropagator(configuration: configuration, statistics: statistics)
        let members = (0..<250).map { "k\($0)=v" }
        for baggage in [members, members + ["x-highlight-request=other/2"]].map({ $0.joined(separator: ",") }) {
            let context = ServiceContext.extract(from: ["x-highlight-request": "s/r", "baggage": baggage], instrument: raised)
            #expect(context.baggage?.members.count == baggage.split(separator: ",").count)
        }
        #expect(statistics.snapshot.rejections.isEmpty)
    }

    @Test func injectionCutsBaggageToTheLimitsAndCountsTheDrop() {
        var context = ServiceContext.topLevel
        var baggage = W3CBaggage()
        for index in 0..<300 { baggage["k\(index)"] = "v" }
        context.baggage = baggage
        var outbound: [String: String] = [:]
        context.inject(into: &outbound, using: DictionaryInjector(), instrument: propagator)
        #expect(outbound["baggage"]?.split(separator: ",").count == 180)
        #expect(statistics.snapshot.baggageMembersDroppedOnInjection == 120)
    }

    @Test func injectCurrentUsesTheTaskLocalContext() {
        var context = ServiceContext.topLevel
        context.highlightRequest = HighlightRequestContext(sessionSecureID: "current", requestID: "r")
        var headers: [String: String] = [:]
        ServiceContext.withValue(context) {
            ServiceContext.injectCurrent(into: &headers, instrument: propagator)
        }
        #expect(headers["x-highlight-request"] == "current/r")
        var untouched: [String: String] = [:]
        ServiceContext.injectCurrent(into: &untouched, instrument: propagator)
        #expect(untouched.isEmpty)
    }

    @Test func withNothingBootstrappedTheConveniencesStillPropagate() {
        // No InstrumentationSystem.bootstrap in this test process: the default propagator steps in.
        let context = ServiceContext.extract(from: ["x-highlight-request": "fallback/1"])
        #expect(context.highlightRequest?.sessionSecureID == "fallback")
    }
}
