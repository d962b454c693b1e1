public import GRPCCore
public import HighlightPropagation
public import Instrumentation
import Tracing

/// Carries the current context to the services a client calls, and traces each call.
///
/// For a target on the allowlist it starts a CLIENT span named `package.Service/Method` (a child of the current
/// context, with the RPC attributes and the session) and writes `x-highlight-request`, `traceparent`, `tracestate`
/// and `baggage` into the request metadata. A target off the list receives nothing and gets no span: the default
/// list is empty, so a session id never reaches a third party by accident. A value the caller put in the metadata by
/// hand is kept, unless ``replacesValuesSetByHand`` is set.
///
/// The target is matched on the host the client dials when you name it (`target:`), else on the peer address the
/// transport connected to (an IP address, so list addresses then):
///
/// ```swift
/// let client = GRPCClient(
///     transport: try .http2NIOPosix(target: .dns(host: "inventory.internal", port: 50051), transportSecurity: .plaintext),
///     interceptors: [HighlightClientInterceptor(tracingOrigins: TracingOrigins(["inventory.internal"]), target: "inventory.internal:50051")]
/// )
/// ```
public struct HighlightClientInterceptor: ClientInterceptor {
    /// The hosts whose calls carry the context.
    public var tracingOrigins: TracingOrigins
    /// The host and port the client dials (`inventory.internal:50051`), matched against ``tracingOrigins``; `nil`
    /// matches the peer address the transport reports instead.
    public var target: String? {
        didSet { targetPeer = target.flatMap(GRPCPeer.init) }
    }
    /// ``target`` parsed, once, not on every call.
    private var targetPeer: GRPCPeer?
    /// Whether the context replaces propagation values the caller already put in the metadata (off: they are kept).
    public var replacesValuesSetByHand: Bool
    /// The instrument that injects the context; `nil` resolves the bootstrapped one on every call.
    public var instrument: (any Instrument)?

    /// Creates the interceptor.
    /// - Parameters:
    ///   - tracingOrigins: the hosts whose calls carry the context (none by default).
    ///   - target: the host and port the client dials, when it is a name rather than an address.
    ///   - replacesValuesSetByHand: whether the context replaces values the caller set in the metadata.
    ///   - instrument: the instrument that injects the context; `nil` for the bootstrapped one.
    public init(
        tracingOrigins: TracingOrigins = .none,
        target: String? = nil,
        replacesValuesSetByHand: Bool = false,
        instrument: (any Instrument)? = nil
    ) {
        self.tracingOrigins = tracingOrigins
        self.target = target
        self.targetPeer = target.flatMap(GRPCPeer.init)
        self.replacesValuesSetByHand = replacesValuesSetByHand
        self.instrument = instrument
    }

    /// Sends the current context with a call to a listed target in a CLIENT span ended with the response stream; any
    /// other call passes through untouched.
    ///
    /// - Parameters:
    ///   - request: the outgoing call.
    ///   - context: the call's descriptor and transport details.
    ///   - next: the rest of the interceptor chain and the transport.
    /// - Returns: the response, whose stream ends the span.
    /// - Throws: what `next` throws, recorded on the span.
    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        let peer = targetPeer ?? GRPCPeer(context.remotePeer)
        guard let peer, tracingOrigins.allows(host: peer.host, port: peer.port) else { return try await next(request, context) }
        let parent = ServiceContext.current ?? .topLevel
        let span = InstrumentationSystem.tracer.startSpan(context.descriptor.fullyQualifiedMethod, context: parent, ofKind: .client)
        span.setRPCAttributes(context.descriptor, server: peer)
        span.setHighlightSession(from: parent)
        var request = request
        var outgoing = Metadata()
        span.context.inject(into: &outgoing, using: GRPCMetadataInjector(), instrument: instrument)
        for (key, value) in outgoing {
            guard replacesValuesSetByHand || !request.metadata[key].contains(where: { _ in true }) else { continue }
            request.metadata.removeAllValues(forKey: key)
            request.metadata.add(contentsOf: [(key: key, value: value)])
        }
        var response = try await span.endingOnFailure { try await next(request, context) }
        switch response.accepted {
        case .success(var contents):
            // The call ends when its response stream does: the span ends there.
            contents.bodyParts = RPCAsyncSequence(wrapping: EndingSequence(base: contents.bodyParts, span: span))
            response.accepted = .success(contents)
        case .failure(let error):
            span.endRPC(failure: error)
        }
        return response
    }
}
