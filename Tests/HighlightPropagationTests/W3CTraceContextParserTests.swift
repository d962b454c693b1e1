import HighlightPropagation
import Testing
import W3CTraceContext

@Suite("W3C traceparent and tracestate")
struct W3CTraceContextParserTests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let spanID = "00f067aa0ba902b7"

    @Test(arguments: [
        ("00-\(traceID)-\(spanID)-01", UInt8(0x01)),
        ("00-\(traceID)-\(spanID)-00", 0x00),
        ("00-\(traceID)-\(spanID)-03", 0x03),
        ("00-\(traceID)-\(spanID)-ff", 0xFF),
        ("  00-\(traceID)-\(spanID)-09\t", 0x09),
    ] as [(String, UInt8)])
    func keepsEveryFlagBit(value: String, flags: UInt8) throws {
        let result = W3CTraceContextParser.parse(traceParent: value, traceState: nil)
        let context = try #require(result.traceContext)
        #expect(result.rejections.isEmpty)
        #expect(context.flags.rawValue == flags)
        #expect(context.traceID.description == Self.traceID)
        #expect(context.spanID.description == Self.spanID)
        #expect(context.traceParentHeaderValue.hasSuffix(String(flags, radix: 16).count == 1 ? "0\(String(flags, radix: 16))" : String(flags, radix: 16)))
    }

    @Test(arguments: [
        "01-\(traceID)-\(spanID)-01",
        "cc-\(traceID)-\(spanID)-01-what-the-future-holds",
        "fe-\(traceID)-\(spanID)-01-",
    ])
    func higherVersionsAreReadByTheirFirst55Characters(value: String) throws {
        let context = try #require(W3CTraceContextParser.parse(traceParent: value, traceState: nil).traceContext)
        #expect(context.traceParentHeaderValue == "00-\(Self.traceID)-\(Self.spanID)-01")
    }

    @Test(arguments: [
        ("ff-\(traceID)-\(spanID)-01", PropagationRejection.Reason.unsupportedVersion),
        ("01-\(traceID)-\(spanID)-01x", .unsupportedVersion),
        ("00-\(traceID)-\(spanID)-01-extra", .malformed),
        ("00-\(traceID)-\(spanID)", .malformed),
        ("", .malformed),
        ("00-00000000000000000000000000000000-\(spanID)-01", .allZeroIdentifier),
        ("00-\(traceID)-0000000000000000-01", .allZeroIdentifier),
        ("00-4BF92F3577B34DA6A3CE929D0E0E4736-\(spanID)-01", .invalidCharacter),
        ("00-\(traceID)-00F067AA0BA902B7-01", .invalidCharacter),
        ("0A-\(traceID)-\(spanID)-01", .invalidCharacter),
        ("00-\(traceID)-\(spanID)-0g", .invalidCharacter),
        ("00_\(traceID)_\(spanID)_01", .malformed),
        ("00-\(traceID)-\(spanID)-01\r\n", .controlCharacter),
        ("00-\(traceID)-\(spanID)-é", .nonASCII),
    ])
    func refusedTraceParents(value: String, reason: PropagationRejection.Reason) {
        let result = W3CTraceContextParser.parse(traceParent: value, traceState: "congo=t61rcWkgMzE")
        #expect(result.traceContext == nil)
        #expect(result.rejections == [PropagationRejection(.traceParent, reason)])
    }

    @Test func keepsAValidTraceState() throws {
        let result = W3CTraceContextParser.parse(
            traceParent: "00-\(Self.traceID)-\(Self.spanID)-01",
            traceState: "rojo=00f067aa0ba902b7 ,\tcongo=t61rcWkgMzE,, tenant@vendor=x"
        )
        let context = try #require(result.traceContext)
        #expect(result.rejections.isEmpty)
        #expect(context.traceStateHeaderValue == "rojo=00f067aa0ba902b7, congo=t61rcWkgMzE, tenant@vendor=x")
    }

    @Test(arguments: [
        ("UPPER=1", PropagationRejection.Reason.malformed),
        ("novalue", .malformed),
        ("empty=", .malformed),
        ("a=1\r\nb=2", .controlCharacter),
        ("a=é", .nonASCII),
        ("1key=v", .malformed),
        ("a=b=c", .malformed),
        ("t@Vendor=x", .malformed),
        ("t@vendorwaytoolong=x", .malformed),
        ("a=" + String(repeating: "v", count: 257), .malformed),
        ((0..<33).map { "k\($0)=v" }.joined(separator: ","), .tooManyMembers),
    ])
    func anInvalidTraceStateDropsOnlyItself(traceState: String, reason: PropagationRejection.Reason) throws {
        let result = W3CTraceContextParser.parse(traceParent: "00-\(Self.traceID)-\(Self.spanID)-03", traceState: traceState)
        let context = try #require(result.traceContext)
        #expect(context.state.isEmpty)
        #expect(context.flags.rawValue == 3)
        #expect(result.rejections == [PropagationRejection(.traceState, reason)])
    }

    @Test func thirtyTwoTraceStateMembersAreKept() throws {
        let state = (0..<32).map { "k\($0)=v" }.joined(separator: ",")
        let result = W3CTraceContextParser.parse(traceParent: "00-\(Self.traceID)-\(Self.spanID)-01", traceState: state)
        #expect(try #require(result.traceContext).state.count == 32)
    }
}
