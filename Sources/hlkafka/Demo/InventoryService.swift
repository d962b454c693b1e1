import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import Highlight
import HighlightGRPC
import HighlightPropagation
import Logging

/// The demo's inventory service over gRPC: `demo.Inventory/Reserve`, registered by hand (no generated code).
struct InventoryService: RegistrableRPCService {
    static let reserve = MethodDescriptor(service: ServiceDescriptor(package: "demo", service: "Inventory"), method: "Reserve")
    let recorder: DemoRecorder

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        let recorder = self.recorder
        router.registerHandler(
            forMethod: Self.reserve,
            deserializer: ProtobufDeserializer<ReserveRequest>(),
            serializer: ProtobufSerializer<ReserveReply>()
        ) { request, _ in
            let reservation = try await ServerRequest(stream: request)
            recorder.hop("inventory (gRPC)")
            H.log("item reserved", metadata: ["item": "\(reservation.message.item)", "order": "\(reservation.message.orderID)"])
            return StreamingServerResponse(single: ServerResponse(message: ReserveReply(reserved: true)))
        }
    }

    /// Reserves `item` for `orderID` through `client`, in the current context (the client's interceptor carries it).
    static func reserve<Transport: ClientTransport>(_ item: String, orderID: String, through client: GRPCClient<Transport>) async throws -> Bool {
        try await client.unary(
            request: ClientRequest(message: ReserveRequest(item: item, orderID: orderID)),
            descriptor: reserve,
            serializer: ProtobufSerializer<ReserveRequest>(),
            deserializer: ProtobufDeserializer<ReserveReply>(),
            options: .defaults
        ) { try $0.message.reserved }
    }
}

extension InventoryService {
    /// Runs the inventory's gRPC server on loopback (`port`, 0 for a free one) and a client for it whose interceptor
    /// carries the context to 127.0.0.1, calls `body` with the reservation call and the port the server listens
    /// on, then shuts both down.
    static func serving<Result: Sendable>(
        recorder: DemoRecorder,
        port: Int,
        _ body: (_ reserve: @escaping @Sendable (String, String) async throws -> Bool, _ port: Int) async throws -> Result
    ) async throws -> Result {
        let server = GRPCServer(
            transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: port), transportSecurity: .plaintext),
            services: [InventoryService(recorder: recorder)],
            interceptors: [HighlightServerInterceptor()]
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            var client: GRPCClient<HTTP2ClientTransport.Posix>?
            let outcome: Swift.Result<Result, any Error>
            do {
                let bound: Int
                do {
                    bound = try await server.transport.listeningAddress.ipv4?.port ?? port
                } catch {
                    throw DemoFailure("the inventory's gRPC server could not listen on 127.0.0.1:\(port) (\(error)); choose another port with --grpc-port (0 picks a free one)")
                }
                let connected = GRPCClient(
                    transport: try .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: bound), transportSecurity: .plaintext),
                    interceptors: [HighlightClientInterceptor(tracingOrigins: TracingOrigins(["127.0.0.1"]))]
                )
                client = connected
                group.addTask { try await connected.runConnections() }
                outcome = .success(try await body({ item, orderID in try await reserve(item, orderID: orderID, through: connected) }, bound))
            } catch {
                outcome = .failure(error)
            }
            // Shut both down gracefully and wait for them, on failure too: leaving the group by throwing would cancel
            // them instead, and a transport cancelled mid-start trips NIO's "NIOAsyncWriter deinited without finish()"
            // (seen under ThreadSanitizer when the API's port was busy).
            client?.beginGracefulShutdown()
            server.beginGracefulShutdown()
            try? await group.waitForAll()
            return try outcome.get()
        }
    }
}
