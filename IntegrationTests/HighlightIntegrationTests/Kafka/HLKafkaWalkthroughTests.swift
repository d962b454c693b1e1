import Foundation
import HighlightTestSupport
import Testing

/// The `hlkafka` walkthrough of the DocC article "The hlkafka command line", run as written: the block after its `<!-- walkthrough` marker, by `/bin/sh -e`,
/// in a fresh folder, with the built `hlkafka` first on the `PATH`.
@Suite("hlkafka walkthrough", .timeLimit(.minutes(2)))
struct HLKafkaWalkthroughTests {
    static var article: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/HighlightKafka/Documentation.docc/TheHlkafkaCommandLine.md")
    }

    static func walkthrough() throws -> String {
        let text = try String(contentsOf: article, encoding: .utf8)
        guard let marker = text.range(of: "<!-- walkthrough"),
            let open = text.range(of: "```sh\n", range: marker.upperBound..<text.endIndex),
            let close = text.range(of: "```", range: open.upperBound..<text.endIndex)
        else { throw TestTimeout(description: "TheHlkafkaCommandLine.md has no walkthrough block") }
        return String(text[open.upperBound..<close.lowerBound])
    }

    /// Put before the block: should it fail midway, the cluster it started still ends (it would hold the output open).
    static let cleanup = "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n"

    @Test func theWalkthroughRunsAsWritten() async throws {
        let script = try Self.walkthrough()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("walkthrough-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let bin = HLKafkaCommandLineTests.executable.deletingLastPathComponent().path
        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let run = try await ChildProcess.run(
            URL(fileURLWithPath: "/bin/sh"), ["-e", "-c", "cd '\(folder.path)'\n" + Self.cleanup + script], environment: ["PATH": path]
        )
        #expect(run.status == 0, "\(run.errors)")
        let lines = run.output.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("delivered orders[") && $0.contains("session=a1b2c3 request=req42") }.count == 3, "\(run.output)")
        let consumed = lines.filter { $0.hasPrefix("orders[") }
        #expect(consumed.count == 3, "\(run.output)")
        #expect(consumed.allSatisfy { $0.contains("session=a1b2c3 request=req42") && $0.contains("baggage=tenant=acme") }, "\(run.output)")
        #expect(run.output.contains("session coverage: 100.0% of 3 message(s)"), "\(run.output)")
    }
}
