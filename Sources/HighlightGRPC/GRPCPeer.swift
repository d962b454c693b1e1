/// A peer as grpc-swift's transports describe it (`ipv4:127.0.0.1:50051`, `ipv6:[::1]:50051`, `unix:/run/app.sock`),
/// or a target as a user writes it (`inventory.internal:50051`, `dns:///inventory.internal:50051`).
struct GRPCPeer: Sendable, Hashable {
    /// The host, address or socket path.
    let host: String
    /// The port, when the peer has one.
    let port: Int?

    init(host: String, port: Int?) {
        self.host = host
        self.port = port
    }

    /// Parses `description`; `nil` when it names no host.
    init?(_ description: String) {
        var rest = Substring(description)
        for scheme in ["ipv4:", "ipv6:", "dns:///", "dns:", "unix:", "unix-abstract:"] where rest.hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            if scheme.hasPrefix("unix") {
                guard !rest.isEmpty else { return nil }
                self.init(host: String(rest), port: nil)
                return
            }
            break
        }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            let host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            self.init(host: String(host), port: after.hasPrefix(":") ? Int(after.dropFirst()) : nil)
        } else if let colon = rest.lastIndex(of: ":"), rest.firstIndex(of: ":") == colon {
            self.init(host: String(rest[..<colon]), port: Int(rest[rest.index(after: colon)...]))
        } else {
            self.init(host: String(rest), port: nil)
        }
        if host.isEmpty { return nil }
    }
}
