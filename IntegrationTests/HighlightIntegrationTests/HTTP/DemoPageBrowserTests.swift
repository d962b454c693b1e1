import AsyncHTTPClient
import Foundation
import HighlightTestSupport
import Hummingbird
import NIOCore
import Testing

/// `hlkafka demo --serve`'s page in a real browser: headless Chromium loads it from its own origin, places orders
/// cross-origin, and the worker's side must see the page's session and trace on every message; the same page served
/// from an origin the API does not allow is refused by the browser itself.
///
/// Chromium comes from `make deps` (Debian's `chromium`). `make test` sets HIGHLIGHT_REQUIRE_BROWSER, so there a
/// missing browser fails the test; a plain `swift test` without it skips the suite.
@Suite(
    "demo page in a real browser",
    .timeLimit(.minutes(2)),
    .enabled(if: HeadlessBrowser.executable != nil || HeadlessBrowser.required, "chromium is not installed (make deps installs it)")
)
struct DemoPageBrowserTests {
    /// Where the screenshot goes: `test-output/` next to the test bundle (`.build/debug/test-output/`).
    static var outputFolder: URL {
        HLKafkaCommandLineTests.executable.deletingLastPathComponent().appendingPathComponent("test-output")
    }

    /// A row of the page's table, read from the attributes the page sets on it.
    struct Row {
        let attributes: [String: String]
        subscript(_ name: String) -> String? { attributes[name] }
    }

    /// The page as the browser left it: its session, whether it finished, its rows.
    struct PageState {
        let session: String?
        let done: Bool
        let rows: [Row]

        init(dom: String) {
            func attributes(of tag: Substring) -> [String: String] {
                var found: [String: String] = [:]
                for match in tag.matches(of: /([a-z-]+)="([^"]*)"/) { found[String(match.1)] = String(match.2) }
                return found
            }
            let body = dom.firstMatch(of: /<body[^>]*>/).map { attributes(of: $0.0) } ?? [:]
            session = body["data-session"]
            done = body["data-done"] == "true"
            rows = dom.matches(of: /<tr data-request[^>]*>/).map { Row(attributes: attributes(of: $0.0)) }
        }
    }

    @Test func thePageSendsTheSessionAndTraceToTheWorkerAndAnUnlistedOriginIsRefusedByTheBrowser() async throws {
        let demo = try ChildProcess(HLKafkaCommandLineTests.executable, ["demo", "--serve", "--port", "0", "--page-port", "0", "--grpc-port", "0"])
        defer { demo.signal(SIGTERM) }
        var lines = demo.lines.makeAsyncIterator()
        var pageURL: String?
        var output: [String] = []
        while pageURL == nil, let line = await lines.next() {
            output.append(line)
            pageURL = line.firstMatch(of: /open the demo page.*: (http:\/\/127\.0\.0\.1:\d+\/)$/).map { String($0.1) }
        }
        let page = try #require(pageURL, "demo --serve printed no page URL: \(output)")

        // The page on its own origin, the one the API allows: an order that goes through, one that fails.
        let state = PageState(dom: try await HeadlessBrowser.load(page + "?auto=coffee,broken"))
        let session = try #require(state.session)
        #expect(session.count == 28)
        #expect(state.done, "the page did not finish its orders")
        #expect(state.rows.map { $0["data-item"] } == ["coffee", "broken"])
        for row in state.rows {
            #expect(row["data-hops"] == "api,inventory (gRPC),kafka,worker", "\(row.attributes)")
            #expect(row["data-trace-continued"] == "true", "every hop saw the page's trace id: \(row.attributes)")
            #expect(row["data-refused"] == nil)
        }
        #expect(state.rows.last?["data-error-session-matches"] == "true", "the worker's error is linked to the page's session")

        // A screenshot of the page after three orders, for the README.
        try FileManager.default.createDirectory(at: Self.outputFolder, withIntermediateDirectories: true)
        let screenshot = Self.outputFolder.appendingPathComponent("demo-page.png")
        try? FileManager.default.removeItem(at: screenshot)
        try await HeadlessBrowser.load(page + "?auto=coffee,tea,broken", screenshot: screenshot)
        let size = (try FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int) ?? 0
        #expect(size > 10_000, "screenshot at \(screenshot.path): \(size) bytes")
        print("demo page screenshot: \(screenshot.path)")

        // The same page served from an origin the API does not list: the browser refuses to send the order.
        let html = try await HTTPClient.shared.execute(HTTPClientRequest(url: page), timeout: .seconds(10)).body.collect(upTo: 1 << 20)
        let router = Router()
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: html))
        }
        let elsewhere = try await TestHTTPServer.start(router)
        defer { elsewhere.stop() }
        let refused = PageState(dom: try await HeadlessBrowser.load(elsewhere.baseURL + "/?auto=coffee"))
        let refusedSession = try #require(refused.session)
        #expect(refused.done)
        #expect(refused.rows.count == 1)
        #expect(refused.rows.first?["data-refused"] == "true", "the browser sent an order from an unlisted origin: \(refused.rows.map(\.attributes))")

        // The worker's side: every order of the allowed page reached the worker with the page's session and trace id.
        demo.process.interrupt()
        while let line = await lines.next() { output.append(line) }
        #expect(await demo.exitStatus() == 0)
        for row in state.rows {
            let worker = "==> worker: session=\(session) request=\(row["data-request"] ?? "?") trace=\(row["data-trace"] ?? "?")"
            #expect(output.contains(worker), "\(output)")
        }
        let broken = try #require(state.rows.last?["data-request"])
        #expect(output.contains { $0.hasPrefix("==> error: session=\(session) request=\(broken) payment declined") })
        // The refused page's order never reached a handler: no hop of the API saw its session.
        #expect(!output.contains { $0.contains(refusedSession) }, "\(output.filter { $0.contains(refusedSession) })")
        #expect(output.contains { $0.contains("api: session=\(session)") })
    }
}
