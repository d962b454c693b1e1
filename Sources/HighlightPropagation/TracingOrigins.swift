/// The hosts outgoing requests may carry the session to: the server-side twin of the browser SDK's `tracingOrigins`.
///
/// The default allows no host, so a session id never reaches a third party by accident. Name your own services:
///
/// ```swift
/// let origins = TracingOrigins(["orders.internal", "*.svc.cluster.local", "localhost:8081"])
/// ```
///
/// A pattern is a host (`api.example.com`), a host and port (`localhost:8081`), or a wildcard for subdomains
/// (`*.example.com`, which does not match `example.com` itself). Matching ignores case.
public struct TracingOrigins: Sendable, Hashable {
    /// The patterns.
    public let patterns: [String]

    /// Allows the hosts matching `patterns`.
    ///
    /// - Parameter patterns: host names (`inventory.internal`), subdomain wildcards (`*.internal`) or `host:port`.
    public init(_ patterns: [String]) {
        self.patterns = patterns.map { $0.lowercased() }
    }

    /// No host: nothing is injected.
    public static let none = TracingOrigins([])

    /// Whether a request to `host` (and `port`) may carry the context.
    ///
    /// - Parameters:
    ///   - host: the host name, matched ignoring case.
    ///   - port: the port, or `nil` when the URL names none.
    /// - Returns: whether the context may be sent there.
    public func allows(host: String, port: Int?) -> Bool {
        let host = host.lowercased()
        return patterns.contains { pattern in
            var hostPattern = pattern[...]
            var portPattern: Int?
            if let colon = pattern.lastIndex(of: ":"), let parsed = Int(pattern[pattern.index(after: colon)...]) {
                hostPattern = pattern[..<colon]
                portPattern = parsed
            }
            if let portPattern, portPattern != port { return false }
            if hostPattern.hasPrefix("*.") {
                return host.hasSuffix(hostPattern.dropFirst(1)) && host.count > hostPattern.count - 1
            }
            return host == hostPattern
        }
    }

    /// Whether `url` (an absolute URL) may carry the context.
    ///
    /// - Parameter url: an absolute URL such as `https://inventory.internal:8443/stock`.
    /// - Returns: whether the context may be sent there; `false` for a URL without a host.
    public func allows(url: String) -> Bool {
        let parts = url.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        var rest = parts[1]
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        var host = rest
        var port: Int?
        if rest.hasPrefix("[") {
            if let close = rest.firstIndex(of: "]") {
                host = rest[rest.index(after: rest.startIndex)..<close]
                let after = rest[rest.index(after: close)...]
                if after.hasPrefix(":") { port = Int(after.dropFirst()) }
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            port = Int(rest[rest.index(after: colon)...])
        }
        if port == nil { port = url.lowercased().hasPrefix("https://") ? 443 : 80 }
        return allows(host: String(host), port: port)
    }
}

extension TracingOrigins: ExpressibleByArrayLiteral {
    /// Allows the hosts matching the patterns listed: `tracingOrigins: ["inventory.internal", "localhost:8081"]`.
    ///
    /// - Parameter patterns: host names, subdomain wildcards or `host:port`.
    public init(arrayLiteral patterns: String...) {
        self.init(patterns)
    }
}
