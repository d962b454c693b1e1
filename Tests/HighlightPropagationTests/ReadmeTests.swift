import Foundation
import Testing

@Suite("README")
struct ReadmeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The README's quick start is `Examples/QuickStart/main.swift` without its first comment line: the build compiles
    /// that file, so the snippet in the README compiles as pasted.
    @Test func quickStartMatchesTheCompiledExample() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let example = try String(contentsOf: Self.root.appendingPathComponent("Examples/QuickStart/main.swift"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Quick start"))
        let afterSection = readme[section.upperBound...]
        let open = try #require(afterSection.range(of: "```swift\n"))
        let close = try #require(afterSection[open.upperBound...].range(of: "```"))
        let snippet = afterSection[open.upperBound..<close.lowerBound]
        let exampleBody = example.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
        #expect(snippet.trimmingCharacters(in: .whitespacesAndNewlines) == exampleBody.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
