import HighlightPropagation
import Testing

@Suite("W3C baggage")
struct W3CBaggageTests {
    @Test func parsesMembersValuesAndProperties() throws {
        let result = W3CBaggage.parse(["userId=alice, serverNode = DF%2028 ;prop1;p2=v2 ,isProduction=false"])
        let baggage = try #require(result.baggage)
        #expect(result.rejections.isEmpty)
        #expect(baggage.members.map(\.name) == ["userId", "serverNode", "isProduction"])
        #expect(baggage["serverNode"] == "DF 28")
        #expect(baggage.members[1].properties == ["prop1", "p2=v2"])
        #expect(baggage.headerValue == "userId=alice,serverNode=DF%2028;prop1;p2=v2,isProduction=false")
    }

    @Test func severalHeadersCombineInOrder() throws {
        let baggage = try #require(W3CBaggage.parse(["a=1,b=2", "c=3", "a=4"]).baggage)
        #expect(baggage.members.map(\.name) == ["a", "b", "c", "a"])
        #expect(baggage["a"] == "4")
    }

    @Test(arguments: [
        ("%E2%9C%93", "✓"),
        ("%2F", "/"),
        ("a%2fb", "a/b"),
        ("100%", "100%"),
        ("%zz", "%zz"),
        ("%4", "%4"),
        ("%FF", "\u{FFFD}"),
    ])
    func percentDecoding(encoded: String, decoded: String) throws {
        let baggage = try #require(W3CBaggage(headerValue: "k=\(encoded)"))
        #expect(baggage["k"] == decoded)
    }

    @Test(arguments: ["a b", "tab\there", "comma,inside", "semi;colon", "quote\"", "back\\slash", "✓", "50%", "\r\n"])
    func encodingRoundTrips(value: String) throws {
        var baggage = W3CBaggage()
        baggage["k"] = value
        let header = baggage.headerValue
        #expect(header.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
        #expect(W3CBaggage(headerValue: header)?["k"] == value)
    }

    @Test func invalidMembersAreDroppedAloneAndReported() throws {
        let result = W3CBaggage.parse(["good=1,noequals,bad key=2,=novalue,also=fine,ctl=a\u{1}b,uni=é"])
        let baggage = try #require(result.baggage)
        #expect(baggage.members.map(\.name) == ["good", "also"])
        #expect(result.rejections.count == 5)
        #expect(result.rejections.contains(PropagationRejection(.baggage, .malformed)))
        #expect(result.rejections.contains(PropagationRejection(.baggage, .controlCharacter)))
        #expect(result.rejections.contains(PropagationRejection(.baggage, .nonASCII)))
    }

    @Test func emptyListMembersAreSkippedWithoutComplaint() {
        let result = W3CBaggage.parse(["a=1,, ,b=2,"])
        #expect(result.baggage?.members.count == 2)
        #expect(result.rejections.isEmpty)
    }

    @Test func keepsAtLeast64MembersAndDropsPastTheLimit() throws {
        let members = (0..<200).map { "k\($0)=v" }.joined(separator: ",")
        let result = W3CBaggage.parse([members])
        let baggage = try #require(result.baggage)
        #expect(baggage.members.count == PropagationLimits.default.maximumBaggageMembers)
        #expect(result.rejections.count == 200 - baggage.members.count)
        #expect(result.rejections.allSatisfy { $0 == PropagationRejection(.baggage, .tooManyMembers) })

        let lowered = PropagationLimits(maximumBaggageMembers: 10, maximumBaggageBytes: 100)
        #expect(lowered.maximumBaggageMembers == 64)
        #expect(lowered.maximumBaggageBytes == 8192)
        #expect(W3CBaggage.parse([members], limits: lowered).baggage?.members.count == 64)
    }

    @Test func keeps8192BytesAndDropsPastIt() throws {
        // 100 members of 100 bytes: 10,099 bytes with separators.
        let member = { (index: Int) in "k\(1000 + index)=" + String(repeating: "v", count: 94) }
        let header = (0..<100).map(member).joined(separator: ",")
        let result = W3CBaggage.parse([header])
        let baggage = try #require(result.baggage)
        #expect(baggage.headerValue.utf8.count <= 8192)
        #expect(baggage.members.count == 81)
        #expect(result.rejections.count == 19)
        #expect(result.rejections.allSatisfy { $0 == PropagationRejection(.baggage, .tooLong) })
    }

    @Test func serializationCutsToTheLimits() {
        var baggage = W3CBaggage()
        for index in 0..<100 { baggage["key\(index)"] = String(repeating: "x", count: 100) }
        let (value, dropped) = baggage.headerValue(limits: .default)
        #expect((value?.utf8.count ?? 0) <= 8192)
        #expect(dropped == 100 - (value?.split(separator: ",").count ?? 0))
        #expect(dropped > 0)
    }

    @Test func caseInsensitiveLookupForTheHighlightMember() {
        var baggage = W3CBaggage(headerValue: "X-Highlight-Request=abc%2Freq1,other=1")!
        #expect(baggage.value(forNameIgnoringCase: "x-highlight-request") == "abc/req1")
        #expect(baggage["x-highlight-request"] == nil)
        baggage.removeMembers(namedIgnoringCase: "x-highlight-request")
        #expect(baggage.headerValue == "other=1")
    }

    /// Found by libFuzzer (`make fuzz`): `I=;R\t=&&=(=` kept its property verbatim, tab included, and the tab went
    /// out in the next hop's baggage header.
    @Test func propertiesAreNormalizedSoWhitespaceNeverTravels() throws {
        let baggage = try #require(W3CBaggage(headerValue: "I=;R\t=&&=(="))
        #expect(baggage.members.first?.properties == ["R=&&=(="])
        #expect(baggage.headerValue == "I=;R=&&=(=")
        #expect(baggage.headerValue.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
        #expect(W3CBaggage(headerValue: "k=v; p1 = x ;p2")?.headerValue == "k=v;p1=x;p2")
        #expect(W3CBaggage.Member(name: "k", value: "v", properties: ["a\t= b"])?.properties == ["a=b"])
    }

    @Test func membersWithUnsafeNamesOrPropertiesCannotBeBuilt() {
        #expect(W3CBaggage.Member(name: "bad name", value: "v") == nil)
        #expect(W3CBaggage.Member(name: "", value: "v") == nil)
        #expect(W3CBaggage.Member(name: "k", value: "v", properties: ["p\r\n"]) == nil)
        #expect(W3CBaggage.Member(name: "k", value: "any value\r\n is encoded")?.headerValue == "k=any%20value%0D%0A%20is%20encoded")
    }
}
