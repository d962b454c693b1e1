// gRPC between services, both ends (DocC: HighlightGRPC).
import GRPCCore
import GRPCNIOTransportHTTP2
import HighlightGRPC
import HighlightPropagation  // TracingOrigins

/// The inventory service: its handlers run in the caller's session (H.log, H.consumeError and spans see it).
func runInventoryServer(services: [any RegistrableRPCService]) async throws {
    let server = GRPCServer(
        transport: .http2NIOPosix(address: .ipv4(host: "0.0.0.0", port: 50051), transportSecurity: .plaintext),
        services: services,
        interceptors: [HighlightServerInterceptor()]
    )
    try await server.serve()
}

/// The orders API's client for it (run `client.runConnections()` in a task you own): calls carry the session to
/// inventory.internal, and to no other host.
func makeInventoryClient() throws -> GRPCClient<HTTP2ClientTransport.Posix> {
    GRPCClient(
        transport: try .http2NIOPosix(target: .dns(host: "inventory.internal", port: 50051), transportSecurity: .plaintext),
        interceptors: [
            HighlightClientInterceptor(tracingOrigins: ["inventory.internal"], target: "inventory.internal:50051")
        ]
    )
}
