import HighlightPropagation
import Testing

@Suite("x-highlight-request parsing")
struct HighlightRequestContextTests {
    /// The parsing table of shared/reference/wire-format.md, plus trimming and the browser SDK's real shapes.
    @Test(arguments: [
        ("abc123/req9", "abc123", "req9"),
        ("abc123/", "abc123", nil),
        ("abc/def/ghi", "abc", "def"),
        ("noslash", "noslash", nil),
        ("  abc123/req9\t", "abc123", "req9"),
        ("\tabc/ ", "abc", nil),
        ("1234/5678", "1234", "5678"),
        ("test-session/", "test-session", nil),
        ("Xk3bP0aQeR7tYuI9oPlKjHgFdSa1/a1B2c3D4e5", "Xk3bP0aQeR7tYuI9oPlKjHgFdSa1", "a1B2c3D4e5"),
        ("sess/4bf92f3577b34da6a3ce929d0e0e4736", "sess", "4bf92f3577b34da6a3ce929d0e0e4736"),
        ("abc//ghi", "abc", nil),
    ] as [(String, String, String?)])
    func validValues(value: String, session: String, request: String?) throws {
        let context = try #require(try HighlightRequestContext.parse(value))
        #expect(context.sessionSecureID == session)
        #expect(context.requestID == request)
        #expect(HighlightRequestContext(headerValue: value) == context)
    }

    @Test(arguments: ["", "   ", "\t \t"])
    func blankValuesCarryNoContextAndAreNotErrors(value: String) throws {
        #expect(try HighlightRequestContext.parse(value) == nil)
    }

    @Test(arguments: [
        ("/req9", PropagationRejection.Reason.missingSession),
        ("/", .missingSession),
        ("abc\r\nx-evil: 1/req", .controlCharacter),
        ("abc/req\n", .controlCharacter),
        ("abc\u{0}/req", .controlCharacter),
        ("abc\u{7F}/req", .controlCharacter),
        ("abc\tdef/req", .controlCharacter),
        ("abc def/req", .invalidCharacter),
        ("abc/re q", .invalidCharacter),
        ("sessiön/req", .nonASCII),
        ("abc/\u{FFFD}", .nonASCII),
        (String(repeating: "a", count: 257), .tooLong),
        (String(repeating: "a", count: 200) + "/" + String(repeating: "b", count: 60), .tooLong),
    ] as [(String, PropagationRejection.Reason)])
    func refusedValues(value: String, reason: PropagationRejection.Reason) {
        #expect(throws: PropagationRejection(.highlightRequest, reason)) {
            try HighlightRequestContext.parse(value)
        }
        #expect(HighlightRequestContext(headerValue: value) == nil)
    }

    @Test func valueOfExactlyTheLimitIsAccepted() throws {
        let value = String(repeating: "s", count: 200) + "/" + String(repeating: "r", count: 55)
        #expect(value.utf8.count == 256)
        #expect(try HighlightRequestContext.parse(value)?.requestID?.count == 55)
    }

    @Test func invalidUTF8IsRefusedAsNonASCII() {
        let bytes: [UInt8] = [0x61, 0x62, 0xC3, 0x28, 0x2F, 0x72]  // "ab" + broken two-byte sequence + "/r"
        let value = String(decoding: bytes, as: UTF8.self)
        #expect(throws: PropagationRejection(.highlightRequest, .nonASCII)) { try HighlightRequestContext.parse(value) }
    }

    @Test func headerValueRoundTrips() throws {
        let full = try #require(HighlightRequestContext(sessionSecureID: "abc", requestID: "req1"))
        #expect(full.headerValue == "abc/req1")
        #expect(HighlightRequestContext(headerValue: full.headerValue) == full)
        let sessionOnly = try #require(HighlightRequestContext(sessionSecureID: "abc", requestID: nil))
        #expect(sessionOnly.headerValue == "abc/")
        #expect(HighlightRequestContext(headerValue: sessionOnly.headerValue) == sessionOnly)
        #expect(HighlightRequestContext(sessionSecureID: "abc", requestID: "")?.requestID == nil)
    }

    @Test(arguments: [
        ("", "req"), ("a/b", "req"), ("abc", "r/q"), ("ab\r\nc", nil), ("abc", "r\nq"), ("ab c", nil), ("é", nil),
    ] as [(String, String?)])
    func unsafeIdsCannotBeBuilt(session: String, request: String?) {
        #expect(HighlightRequestContext(sessionSecureID: session, requestID: request) == nil)
    }

    @Test func rejectionDescriptionNamesFieldAndReasonButNotTheValue() {
        let secret = "supersecretsession"
        do {
            _ = try HighlightRequestContext.parse(secret + "\r\n/req")
            Issue.record("a value with CR/LF must be refused")
        } catch {
            #expect(error.description.contains("x-highlight-request"))
            #expect(error.description.contains("control character"))
            #expect(!error.description.contains(secret))
        }
    }
}
