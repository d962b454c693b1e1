import Foundation
import HighlightTestSupport
import Testing

/// Headless Chromium, for the tests that need a real browser (its CORS checks, its `fetch`).
enum HeadlessBrowser {
    /// The browser's executable, when one is installed (`make deps` installs Debian's `chromium`).
    static let executable = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
        .map { URL(fileURLWithPath: $0) }

    /// Set by `make test`: a missing browser fails the browser tests instead of skipping them.
    static let required = ProcessInfo.processInfo.environment["HIGHLIGHT_REQUIRE_BROWSER"] != nil

    /// Loads `url` until the page's work is done (the virtual time budget runs timers at once and waits for pending
    /// requests), then returns the DOM, or writes a screenshot to `screenshot` and returns nothing.
    @discardableResult
    static func load(_ url: String, screenshot: URL? = nil) async throws -> String {
        let browser = try #require(executable, "chromium is not installed: run `make deps` (it installs Debian's chromium)")
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("headless-browser-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        // As root, Chromium only runs without its sandbox; each load has a profile of its own.
        var arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--user-data-dir=\(profile.path)", "--virtual-time-budget=60000",
        ]
        if let screenshot {
            arguments += ["--window-size=1200,420", "--screenshot=\(screenshot.path)"]
        } else {
            arguments.append("--dump-dom")
        }
        let result = try await ChildProcess.run(browser, arguments + [url])
        #expect(result.status == 0, "chromium exited \(result.status): \(result.errors.suffix(2_000))")
        return result.output
    }
}
