/// An origin that `CORSMiddleware.Configuration.highlight(allowedOrigins:)` refuses, with what to write instead.
public struct HighlightCORSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with an origin.
    public enum Problem: Sendable, Hashable {
        /// The list is empty: nothing would be allowed.
        case noOrigins
        /// `*`: use `highlightAnyOrigin()`, which never allows credentials.
        case wildcard
        /// `null`: sandboxed frames and `file:` pages send it; any page can make itself one, so it is never allowed.
        case null
        /// Not `scheme://host[:port]`: a browser's `Origin` header would never match it.
        case malformed(String)
    }

    /// The origin as given.
    public let origin: String
    /// What is wrong with it.
    public let problem: Problem

    /// What is wrong with the origin, and what to write instead.
    public var description: String {
        switch problem {
        case .noOrigins:
            "No allowed origins: list the origins of your frontend, such as https://app.example.com"
        case .wildcard:
            "'*' cannot be listed: use CORSMiddleware.Configuration.highlightAnyOrigin() to allow every origin"
        case .null:
            "The 'null' origin is never allowed: any page can send it (sandboxed frames, file: pages)"
        case .malformed(let why):
            "'\(origin)' is not an origin as browsers send it (\(why)); write scheme://host[:port], such as https://app.example.com"
        }
    }

    /// Throws when `origin` cannot match a browser's `Origin` header.
    static func check(_ origin: String) throws(HighlightCORSError) {
        if origin == "*" { throw HighlightCORSError(origin: origin, problem: .wildcard) }
        if origin == "null" { throw HighlightCORSError(origin: origin, problem: .null) }
        let parts = origin.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw HighlightCORSError(origin: origin, problem: .malformed("no scheme://"))
        }
        if parts[1].contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            throw HighlightCORSError(origin: origin, problem: .malformed("an origin has no path, not even a trailing slash"))
        }
        if origin != origin.lowercased() {
            throw HighlightCORSError(origin: origin, problem: .malformed("browsers send it in lowercase"))
        }
        if origin.contains(where: { $0 == " " || $0 == "," }) {
            throw HighlightCORSError(origin: origin, problem: .malformed("one origin per entry, no spaces or commas"))
        }
    }
}
