public import GRPCCore
import HighlightPropagation
public import Instrumentation
import Tracing

/// Restores the frontend session, baggage and trace context a call brings in its metadata, and traces the call.
///
/// For each RPC it extracts `x-highlight-request`, `traceparent`, `tracestate` and `baggage` from the request
/// metadata (the same rules as every other carrier: a malformed or oversize value is refused and counted in
/// `PropagationStatistics`), starts a SERVER span named `package.Service/Method` with the RPC
/// semantic-convention attributes and `highlight.session_id`/`highlight.trace_id`, and runs the handler inside that
/// span's context, for the whole response stream of a streaming RPC. A thrown error or a status other than OK is
/// recorded on the span once.
///
/// ```swift
/// let server = GRPCServer(
///     transport: .http2NIOPosix(address: .ipv4(host: "0.0.0.0", port: 50051), transportSecurity: .plaintext),
///     services: [InventoryService()],
///     interceptors: [HighlightServerInterceptor()]
/// )
/// ```
public struct HighlightServerInterceptor: ServerInterceptor {
    /// The instrument that extracts the context; `nil` resolves the bootstrapped one on every call.
    public var instrument: (any Instrument)?

    /// Creates the interceptor.
    /// - Parameter instrument: the instrument that extracts the context; `nil` for the bootstrapped one.
    public init(instrument: (any Instrument)? = nil) {
        self.instrument = instrument
    }

    /// Restores the call's context, runs the rest of the chain and the handler in its SERVER span, and ends the span
    /// with the response stream.
    ///
    /// - Parameters:
    ///   - request: the incoming call.
    ///   - context: the call's descriptor and peer.
    ///   - next: the rest of the interceptor chain and the handler.
    /// - Returns: the response, whose stream ends the span.
    /// - Throws: what `next` throws, recorded on the span.
    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let extracted = ServiceContext.extract(from: request.metadata, using: GRPCMetadataExtractor(), instrument: instrument)
        let span = InstrumentationSystem.tracer.startSpan(context.descriptor.fullyQualifiedMethod, context: extracted, ofKind: .server)
        span.setRPCAttributes(context.descriptor, server: GRPCPeer(context.localPeer))
        span.setHighlightSession(from: extracted)
        let spanContext = span.context
        let response = try await span.endingOnFailure {
            try await ServiceContext.withValue(spanContext) { try await next(request, context) }
        }
        switch response.accepted {
        case .success(var contents):
            // The response's messages are produced after this returns (all of them, for a streaming RPC): in the
            // span's context, which ends with the stream.
            let produce = contents.producer
            contents.producer = { writer in
                let trailers = try await span.endingOnFailure {
                    try await ServiceContext.withValue(spanContext) { try await produce(writer) }
                }
                span.endRPC()
                return trailers
            }
            return StreamingServerResponse(accepted: .success(contents))
        case .failure(let error):
            span.endRPC(failure: error)
            return response
        }
    }
}
