public import AsyncHTTPClient
public import HighlightPropagation
public import Instrumentation
public import Logging
public import NIOCore
import NIOHTTP1
import Tracing

/// Sends HTTP requests with AsyncHTTPClient, carrying the current session and trace to the hosts in
/// ``tracingOrigins`` only.
///
/// ```swift
/// let client = HighlightHTTPClient(tracingOrigins: TracingOrigins(["inventory.internal"]))
/// let response = try await client.execute(HTTPClientRequest(url: "http://inventory.internal/reserve"), timeout: .seconds(5))
/// ```
///
/// > Important: the default `TracingOrigins.none` injects nothing anywhere. A session id sent to a third party
/// > (a payment provider, an analytics API) leaks who your user is: list only your own services.
///
/// Requests to allowed hosts run in a CLIENT span when a tracer is bootstrapped; its context is what is injected.
public struct HighlightHTTPClient: Sendable {
    /// The client that sends the requests.
    public let client: HTTPClient
    /// The hosts that receive the context.
    public let tracingOrigins: TracingOrigins
    /// The instrument used for injection; `nil` resolves the bootstrapped one on every request.
    public let instrument: (any Instrument)?

    /// Wraps `client`; by default ``sharedClient``.
    ///
    /// > Important: AsyncHTTPClient (1.26 and later) injects the bootstrapped tracer's context into every request of
    /// > a client whose `configuration.tracing.tracer` is set, which it is by default: pass a client whose tracer is
    /// > `nil`, as ``sharedClient``'s is, or the allowlist cannot hold.
    ///
    /// - Parameters:
    ///   - client: the client that sends the requests; its own tracer must be `nil` (see above).
    ///   - tracingOrigins: the hosts that receive the context; none by default.
    ///   - instrument: the instrument that injects; `nil` for the bootstrapped one.
    public init(client: HTTPClient = Self.sharedClient, tracingOrigins: TracingOrigins = .none, instrument: (any Instrument)? = nil) {
        self.client = client
        self.tracingOrigins = tracingOrigins
        self.instrument = instrument
    }

    /// A process-wide client with AsyncHTTPClient's own tracing turned off, so that context goes only where
    /// ``tracingOrigins`` allows. It lives as long as the process.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Executes `request`, injecting the current context when its host is allowed.
    ///
    /// - Parameters:
    ///   - request: the request; headers of the injected names are replaced for allowed hosts.
    ///   - timeout: how long the whole request may take.
    ///   - logger: the logger AsyncHTTPClient logs the request with.
    /// - Returns: the response.
    /// - Throws: what AsyncHTTPClient throws (a connection failure, the timeout), recorded on the CLIENT span.
    public func execute(_ request: HTTPClientRequest, timeout: TimeAmount, logger: Logger? = nil) async throws -> HTTPClientResponse {
        guard tracingOrigins.allows(url: request.url) else {
            return try await client.execute(request, timeout: timeout, logger: logger)
        }
        let parent = ServiceContext.current ?? .topLevel
        let span = InstrumentationSystem.tracer.startSpan("\(request.method.rawValue)", context: parent, ofKind: .client)
        span.updateAttributes { attributes in
            attributes["http.request.method"] = request.method.rawValue
            attributes["url.full"] = request.url
        }
        span.setHighlightSession(from: parent)
        defer { span.end() }
        var request = request
        span.context.inject(into: &request.headers, using: HTTPHeadersInjector(), instrument: instrument)
        do {
            let response = try await client.execute(request, timeout: timeout, logger: logger)
            span.attributes["http.response.status_code"] = Int(response.status.code)
            if response.status.code >= 400 { span.setStatus(SpanStatus(code: .error)) }
            return response
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}
