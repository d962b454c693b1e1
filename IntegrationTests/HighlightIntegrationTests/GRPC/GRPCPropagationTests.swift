import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import HighlightGRPC
import HighlightPropagation
import Instrumentation
import Testing

/// The session over gRPC: `HighlightClientInterceptor` and `HighlightServerInterceptor` on a real loopback HTTP/2
/// connection (grpc-swift-nio-transport's posix transport, an ephemeral port).
@Suite("gRPC propagation", .timeLimit(.minutes(2)), .readsSharedReceiver)
struct GRPCPropagationTests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"

    /// A context as a request from the browser leaves it: a session, a request id, a trace.
    static func browserContext(session: String, request: String = "r1", traceID: String = traceID) -> ServiceContext {
        ServiceContext.extract(from: [
            "x-highlight-request": "\(session)/\(request)", "traceparent": "00-\(traceID)-00f067aa0ba902b7-01",
        ])
    }

    /// Runs `body` with a client connected to a `ProbeService` server, both with the interceptors given.
    static func withProbe<Result: Sendable>(
        server serverInterceptors: [any ServerInterceptor] = [HighlightServerInterceptor()],
        client clientInterceptors: [any ClientInterceptor],
        _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        let server = GRPCServer(
            transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext),
            services: [ProbeService()],
            interceptors: serverInterceptors
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            var client: GRPCClient<HTTP2ClientTransport.Posix>?
            let outcome: Swift.Result<Result, any Error>
            do {
                let port = try #require(try await server.transport.listeningAddress.ipv4?.port)
                let connected = GRPCClient(
                    transport: try .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext),
                    interceptors: clientInterceptors
                )
                client = connected
                group.addTask { try await connected.runConnections() }
                outcome = .success(try await body(connected))
            } catch {
                outcome = .failure(error)
            }
            // Graceful on failure too: a transport cancelled mid-start trips a NIO precondition.
            client?.beginGracefulShutdown()
            server.beginGracefulShutdown()
            try? await group.waitForAll()
            return try outcome.get()
        }
    }

    static func observe(_ client: GRPCClient<HTTP2ClientTransport.Posix>, metadata: Metadata = [:]) async throws -> [String] {
        try await client.unary(
            request: ClientRequest(message: "hi", metadata: metadata), descriptor: ProbeService.observe,
            serializer: TextCoder(), deserializer: TextCoder(), options: .defaults
        ) { try $0.message.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    static let loopback = HighlightClientInterceptor(tracingOrigins: TracingOrigins(["127.0.0.1"]))

    @Test func aUnaryCallCarriesTheSessionAndTheTraceAndBothSpansCarryTheSession() async throws {
        let receiver = try await TestHighlight.ready()
        let session = "grpcUnary\(UUID().uuidString.prefix(8))"
        let seen = try await Self.withProbe(client: [Self.loopback]) { client in
            try await ServiceContext.withValue(Self.browserContext(session: session)) { try await Self.observe(client) }
        }
        #expect(seen == [session, "r1", Self.traceID])

        let names: Set<String> = ["test.Probe/Observe"]
        try await withTimeout(.seconds(30)) {
            await receiver.waitForSpans { spans in spans.filter { $0.traceID == Self.traceID && names.contains($0.name) && $0.attributes["highlight.session_id"] == session }.count >= 2 }
        }
        let spans = receiver.spans.filter { $0.traceID == Self.traceID && $0.attributes["highlight.session_id"] == session }
        #expect(spans.count == 2, "a CLIENT and a SERVER span: \(spans.map(\.name))")
        for span in spans {
            #expect(span.name == "test.Probe/Observe")
            #expect(span.attributes["highlight.trace_id"] == "r1")
            #expect(span.attributes["rpc.system"] == "grpc")
            #expect(span.attributes["rpc.service"] == "test.Probe")
            #expect(span.attributes["rpc.method"] == "Observe")
            #expect(span.attributes["rpc.grpc.status_code"] == "0", "\(span.attributes)")
        }
    }

    @Test func aServerStreamKeepsTheContextForEveryMessage() async throws {
        let session = "grpcStream\(UUID().uuidString.prefix(8))"
        let messages = try await Self.withProbe(client: [Self.loopback]) { client in
            try await ServiceContext.withValue(Self.browserContext(session: session)) {
                try await client.serverStreaming(
                    request: ClientRequest(message: "hi"), descriptor: ProbeService.stream,
                    serializer: TextCoder(), deserializer: TextCoder(), options: .defaults
                ) { response in
                    var messages: [String] = []
                    for try await message in response.messages { messages.append(message) }
                    return messages
                }
            }
        }
        #expect(messages == Array(repeating: "\(session)|r1|\(Self.traceID)", count: 3))
    }

    @Test func aTargetOffTheAllowlistReceivesNothing() async throws {
        let offList = HighlightClientInterceptor(tracingOrigins: TracingOrigins(["inventory.internal"]))
        let seen = try await Self.withProbe(client: [offList]) { client in
            try await ServiceContext.withValue(Self.browserContext(session: "offListSession")) { try await Self.observe(client) }
        }
        #expect(seen[0] == "-" && seen[1] == "-", "no session reached the server: \(seen)")
        #expect(seen[2] != Self.traceID, "no trace context reached the server: \(seen)")
    }

    @Test func aValueSetByHandIsKeptUnlessReplacingIsAskedFor() async throws {
        let byHand: Metadata = ["x-highlight-request": "handSession/handRequest"]
        let kept = try await Self.withProbe(client: [Self.loopback]) { client in
            try await ServiceContext.withValue(Self.browserContext(session: "contextSession")) { try await Self.observe(client, metadata: byHand) }
        }
        #expect(kept[0] == "handSession" && kept[1] == "handRequest")
        #expect(kept[2] == Self.traceID, "the rest of the context still goes")

        let replacing = HighlightClientInterceptor(tracingOrigins: TracingOrigins(["127.0.0.1"]), replacesValuesSetByHand: true)
        let replaced = try await Self.withProbe(client: [replacing]) { client in
            try await ServiceContext.withValue(Self.browserContext(session: "contextSession")) { try await Self.observe(client, metadata: byHand) }
        }
        #expect(replaced[0] == "contextSession" && replaced[1] == "r1")
    }

    @Test func hostileMetadataIsRefusedAndCounted() async throws {
        let statistics = PropagationStatistics()
        let server = HighlightServerInterceptor(instrument: HighlightPropagator(statistics: statistics))
        let hostile: Metadata = [
            "x-highlight-request": .string(String(repeating: "s", count: 300) + "/r1"),
            "traceparent": "00-\(Self.traceID)-0000000000000000-01",
        ]
        let seen = try await Self.withProbe(server: [server], client: []) { client in try await Self.observe(client, metadata: hostile) }
        #expect(seen[0] == "-", "an oversize session is refused: \(seen)")
        #expect(seen[2] != Self.traceID, "a traceparent with an all-zero parent id is refused: \(seen)")
        #expect(statistics.rejectionCount(for: .highlightRequest) == 1)
        #expect(statistics.rejectionCount(for: .traceParent) == 1)
    }

    @Test func anErrorInTheHandlerIsRecordedOnceOnTheServerSpan() async throws {
        let receiver = try await TestHighlight.ready()
        let session = "grpcFail\(UUID().uuidString.prefix(8))"
        let traceID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let code: RPCError.Code? = try await Self.withProbe(client: [Self.loopback]) { client in
            try await ServiceContext.withValue(Self.browserContext(session: session, traceID: traceID)) {
                do {
                    _ = try await client.unary(
                        request: ClientRequest(message: "hi"), descriptor: ProbeService.fail,
                        serializer: TextCoder(), deserializer: TextCoder(), options: .defaults
                    ) { try $0.message }
                    return nil
                } catch let error as RPCError {
                    return error.code
                }
            }
        }
        #expect(code == .unknown)
        try await withTimeout(.seconds(30)) {
            await receiver.waitForSpans { spans in spans.filter { $0.traceID == traceID }.count >= 2 }
        }
        let spans = receiver.spans.filter { $0.traceID == traceID }
        #expect(spans.count == 2)
        for span in spans { #expect(span.attributes["rpc.grpc.status_code"] == "2", "\(span.attributes)") }
        // A span's events come in the same export as the span.
        let exceptions = receiver.records.filter { $0.kind == "event" && $0.name == "exception" && $0.attributes["highlight.session_id"] == session }
        #expect(exceptions.count == 2, "one on the SERVER span (the handler's error), one on the CLIENT span (the status it got)")
    }
}
