import GRPCCore
import HighlightPropagation
import Instrumentation
import W3CTraceContext

/// A gRPC service for the tests, registered by hand (no generated code): each method answers with what the handler
/// saw in its context, as `session|request|traceID` text messages.
struct ProbeService: RegistrableRPCService {
    static let observe = MethodDescriptor(service: ServiceDescriptor(package: "test", service: "Probe"), method: "Observe")
    static let stream = MethodDescriptor(service: ServiceDescriptor(package: "test", service: "Probe"), method: "Stream")
    static let fail = MethodDescriptor(service: ServiceDescriptor(package: "test", service: "Probe"), method: "Fail")

    struct Failure: Error {}

    /// What the current context holds, as the handler sees it.
    static func seen() -> String {
        let context = ServiceContext.current
        let request = context?.highlightRequest
        return [request?.sessionSecureID ?? "-", request?.requestID ?? "-", context?.outgoingTraceContext().map { "\($0.traceID)" } ?? "-"]
            .joined(separator: "|")
    }

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(forMethod: Self.observe, deserializer: TextCoder(), serializer: TextCoder()) { request, _ in
            for try await _ in request.messages {}
            return StreamingServerResponse(single: ServerResponse(message: Self.seen()))
        }
        // Three messages, each produced after the interceptor returned: the context must last the whole stream.
        router.registerHandler(forMethod: Self.stream, deserializer: TextCoder(), serializer: TextCoder()) { request, _ in
            for try await _ in request.messages {}
            return StreamingServerResponse { writer in
                for _ in 0..<3 {
                    await Task.yield()
                    try await writer.write(Self.seen())
                }
                return [:]
            }
        }
        router.registerHandler(forMethod: Self.fail, deserializer: TextCoder(), serializer: TextCoder()) { (request: StreamingServerRequest<String>, _) -> StreamingServerResponse<String> in
            for try await _ in request.messages {}
            throw Failure()
        }
    }
}

/// UTF-8 text as a gRPC message.
struct TextCoder: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: String) throws -> Bytes {
        Bytes(Array(message.utf8))
    }

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> String {
        serializedMessageBytes.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }
}
