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

extension ReadmeTests {
    /// Every README block marked `<!-- snippet: PATH -->` is the file at PATH without its first comment line, and every
    /// such file is compiled by the build (the `GettingStartedExamples` target).
    @Test func gettingStartedSnippetsMatchTheCompiledExamples() throws {
        #expect(try Self.checkSnippets(in: "README.md").count >= 4, "the README's getting started shows four steps")
    }

    /// The same for the DocC articles: every Swift block of an article is a snippet, and compiles as pasted. Every file
    /// of Examples/GettingStarted is shown in the README or in an article.
    @Test func documentationSnippetsMatchTheCompiledExamples() throws {
        let sources = Self.root.appendingPathComponent("Sources")
        var shown = Set(try Self.checkSnippets(in: "README.md"))
        for module in try FileManager.default.contentsOfDirectory(atPath: sources.path) {
            let catalog = "Sources/\(module)/Documentation.docc"
            guard let articles = try? FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent(catalog).path) else { continue }
            for article in articles where article.hasSuffix(".md") {
                let path = "\(catalog)/\(article)"
                shown.formUnion(try Self.checkSnippets(in: path))
                let text = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
                for block in Self.codeBlocks(in: text) where block.kind == "swift" {
                    #expect(Self.isSnippet(block), "\(path): a Swift block the build does not compile: \(block.body.prefix(80))")
                }
            }
        }
        let examples = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Examples/GettingStarted").path)
        let files = Set(examples.filter { $0.hasSuffix(".swift") }.map { "Examples/GettingStarted/\($0)" })
        #expect(files.subtracting(shown).isEmpty, "shown nowhere: \(files.subtracting(shown).sorted())")
    }

    /// Checks every block of `document` marked `<!-- snippet: PATH -->` against the file at PATH (without its first
    /// comment line); returns the paths it checked.
    static func checkSnippets(in document: String) throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent(document), encoding: .utf8)
        let marker = "<!-- snippet: "
        var checked: [String] = []
        var rest = text[...]
        while let found = rest.range(of: marker) {
            let pathEnd = try #require(rest[found.upperBound...].range(of: " -->"))
            let path = String(rest[found.upperBound..<pathEnd.lowerBound])
            let open = try #require(rest[pathEnd.upperBound...].range(of: "```swift\n"))
            let close = try #require(rest[open.upperBound...].range(of: "```"))
            let snippet = rest[open.upperBound..<close.lowerBound]
            let file = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            let body = file.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
            #expect(snippet.trimmingCharacters(in: .whitespacesAndNewlines) == body.trimmingCharacters(in: .whitespacesAndNewlines), "\(document): \(path)")
            checked.append(path)
            rest = rest[close.upperBound...]
        }
        return checked
    }
}

extension ReadmeTests {
    /// Every code block of the README is compiled by the build or run: the quick start, a `snippet` of
    /// Examples/GettingStarted (both checked above), or the set-up commands, each a target of the Makefile that
    /// `.ci/run` runs or the demo.
    @Test func everyReadmeCodeBlockIsCompiledOrRun() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let makefile = try String(contentsOf: Self.root.appendingPathComponent("Makefile"), encoding: .utf8)
        let blocks = Self.codeBlocks(in: readme)
        #expect(blocks.count >= 6)
        for block in blocks {
            switch block.kind {
            case "swift":
                let checked = Self.isSnippet(block)
                let quickStart = block.body.hasPrefix("import HighlightPropagation\nimport Instrumentation\n\nInstrumentationSystem.bootstrap")
                #expect(checked || quickStart, "a Swift block the build does not compile: \(block.body.prefix(80))")
            case "sh":
                #expect(block.preceding.contains("<!-- commands:"), "a shell block nothing runs: \(block.body.prefix(80))")
                for line in block.body.split(separator: "\n") {
                    let words = line.split(separator: " ")
                    #expect(words.count >= 2 && words[0] == "make", "not a make command: \(line)")
                    if words.count >= 2 { #expect(makefile.contains("\n\(words[1]):"), "no target \(words[1]) in the Makefile") }
                }
            default:
                Issue.record("a code block of kind '\(block.kind)' that nothing checks: \(block.body.prefix(80))")
            }
        }
    }

    /// Every relative link of the README (a DocC article, Benchmarks/README.md, the screenshot) names a file that exists.
    @Test func readmeLinksResolve() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        var targets: [String] = []
        var rest = readme[...]
        while let open = rest.range(of: "](") {
            guard let close = rest[open.upperBound...].firstIndex(of: ")") else { break }
            targets.append(String(rest[open.upperBound..<close]))
            rest = rest[close...]
        }
        let local = targets.filter { !$0.hasPrefix("http") }
        #expect(local.count >= 8)
        for target in local {
            #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(target).path), "README links to a missing \(target)")
        }
    }

    /// Whether a fenced block is marked, on the line just before it, as a snippet of a compiled example file.
    static func isSnippet(_ block: (kind: String, body: String, preceding: String)) -> Bool {
        block.preceding.hasPrefix("<!-- snippet: ") && block.preceding.hasSuffix("-->")
    }

    /// The fenced code blocks of `markdown`: the fence's language, the body, and the line just before the fence.
    static func codeBlocks(in markdown: String) -> [(kind: String, body: String, preceding: String)] {
        var blocks: [(kind: String, body: String, preceding: String)] = []
        var lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
        var previous = ""
        while let line = lines.next() {
            guard line.hasPrefix("```") else {
                previous = String(line)
                continue
            }
            var body: [Substring] = []
            while let inner = lines.next(), !inner.hasPrefix("```") { body.append(inner) }
            blocks.append((String(line.dropFirst(3)), body.joined(separator: "\n"), previous))
            previous = ""
        }
        return blocks
    }
}
