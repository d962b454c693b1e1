import Benchmark
import GRPCCore
import HighlightGRPC
import HighlightPropagation
import HighlightTracing
import Instrumentation
import Tracing

/// GRPC.*Interceptor: the per-call cost of each interceptor around a unary call whose transport and handler do
/// nothing (a canned response), with this package's tracer bootstrapped: the server's extraction, SERVER span and
/// context binding for the response stream; the client's allowlist match, CLIENT span, injection and the span's end
/// with the response stream. Ended spans go to a queue the loop empties every 4,096 calls.
///
/// - Returns: that queue, which the bootstrapped tracer ends its spans into from here on.
func registerGRPCInterceptors(inbound: Metadata) -> TelemetryQueue<HighlightSpan> {
    let queue = TelemetryQueue<HighlightSpan>(capacity: 1 << 16, batchSize: 1 << 16) {}
    let tracer = HighlightTracer(queue: queue)
    InstrumentationSystem.bootstrap(tracer)
    let method = MethodDescriptor(service: ServiceDescriptor(package: "demo", service: "Inventory"), method: "Reserve")

    let server = HighlightServerInterceptor(instrument: tracer)
    let serverContext = ServerContext(
        descriptor: method, remotePeer: "ipv4:127.0.0.1:50000", localPeer: "ipv4:127.0.0.1:50051",
        cancellation: ServerContext.RPCCancellationHandle()
    )
    let writer = RPCWriter(wrapping: DiscardingWriter<String>())
    Benchmark("GRPC.ServerInterceptor.Unary") { benchmark in
        for iteration in benchmark.scaledIterations {
            let request = StreamingServerRequest(metadata: inbound, messages: RPCAsyncSequence(wrapping: OneMessage("reserve")))
            let response = try await server.intercept(request: request, context: serverContext) { _, _ in
                StreamingServerResponse(single: ServerResponse(message: "reserved"))
            }
            if case .success(let contents) = response.accepted { blackHole(try await contents.producer(writer)) }
            if iteration & 4095 == 0 { blackHole(queue.takeAll()) }
        }
    }

    let client = HighlightClientInterceptor(tracingOrigins: ["127.0.0.1"], instrument: tracer)
    let clientContext = ClientContext(descriptor: method, remotePeer: "ipv4:127.0.0.1:50051", localPeer: "ipv4:127.0.0.1:50000")
    let parent = ServiceContext.extract(
        from: ["x-highlight-request": "k3bP0aQeR7tYuI9oPlKjHgFdSa1A/a1B2c3D4e5", "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
        instrument: tracer
    )
    Benchmark("GRPC.ClientInterceptor.Unary") { benchmark in
        try await ServiceContext.withValue(parent) {
            for iteration in benchmark.scaledIterations {
                let request = StreamingClientRequest<String>(metadata: [:]) { _ in }
                let response: StreamingClientResponse<String> = try await client.intercept(request: request, context: clientContext) { request, _ in
                    blackHole(request.metadata)
                    return StreamingClientResponse(
                        accepted: .success(.init(metadata: [:], bodyParts: RPCAsyncSequence(wrapping: OneMessage(.message("reserved")))))
                    )
                }
                if case .success(let contents) = response.accepted { for try await part in contents.bodyParts { blackHole(part) } }
                if iteration & 4095 == 0 { blackHole(queue.takeAll()) }
            }
        }
    }
    return queue
}

/// A writer that drops what it is given.
struct DiscardingWriter<Element: Sendable>: RPCWriterProtocol {
    func write(_ element: Element) async throws {}
    func write(contentsOf elements: some Sequence<Element>) async throws {}
}

/// An async sequence of one element.
struct OneMessage<Element: Sendable>: AsyncSequence, Sendable {
    typealias Failure = any Error
    let element: Element
    init(_ element: Element) { self.element = element }

    func makeAsyncIterator() -> Iterator { Iterator(element: element) }

    struct Iterator: AsyncIteratorProtocol {
        var element: Element?
        mutating func next() async throws -> Element? {
            defer { element = nil }
            return element
        }
    }
}
