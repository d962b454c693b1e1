public import AsyncHTTPClient
import Foundation
import HighlightAsyncHTTPClient
public import HighlightPropagation
public import Instrumentation
public import Logging
public import NIOCore
import NIOHTTP1
import Tracing
public import Vapor

/// A Vapor `Client` (what `req.client` and `app.client` are) that carries the current session and trace to the hosts
/// in ``tracingOrigins`` only. Install it with `app.clients.use(.highlight(tracingOrigins:))`:
///
/// ```swift
/// app.clients.use(.highlight(tracingOrigins: ["inventory.internal"]))
/// // in a handler behind HighlightVaporMiddleware:
/// let reply = try await req.client.post("http://inventory.internal/reserve")   // carries the session
/// ```
///
/// > Important: the default `TracingOrigins.none` injects nothing anywhere. A session id sent to a third party leaks
/// > who your user is: list only your own services.
///
/// Requests to allowed hosts run in a CLIENT span, whose context is what is injected; other requests are sent as
/// they are. Vapor's own client injects nothing (AsyncHTTPClient injects only in its `async` API, which Vapor's client
/// does not use), so the allowlist is the only way the context leaves.
public struct HighlightVaporClient: Client {
    /// The AsyncHTTPClient that sends the requests (`app.http.client.shared` when installed as a provider).
    public let http: HTTPClient
    /// The event loop the returned futures complete on.
    public let eventLoop: any EventLoop
    /// Allocates the buffers of request and response bodies.
    public let byteBufferAllocator: ByteBufferAllocator
    /// The hosts that receive the context.
    public let tracingOrigins: HighlightPropagation.TracingOrigins
    /// The instrument used for injection; `nil` resolves the bootstrapped one on every request.
    public let instrument: (any Instrument)?
    let logger: Logger?

    /// Creates a client sending through `http` on `eventLoop`.
    ///
    /// - Parameters:
    ///   - http: the AsyncHTTPClient that sends the requests.
    ///   - eventLoop: the event loop the returned futures complete on.
    ///   - tracingOrigins: the hosts that receive the context; none by default.
    ///   - instrument: the instrument that injects; `nil` for the bootstrapped one.
    ///   - logger: the logger AsyncHTTPClient logs the request with; `nil` for none.
    ///   - byteBufferAllocator: allocates body buffers.
    public init(
        http: HTTPClient,
        eventLoop: any EventLoop,
        tracingOrigins: HighlightPropagation.TracingOrigins = .none,
        instrument: (any Instrument)? = nil,
        logger: Logger? = nil,
        byteBufferAllocator: ByteBufferAllocator = ByteBufferAllocator()
    ) {
        self.http = http
        self.eventLoop = eventLoop
        self.tracingOrigins = tracingOrigins
        self.instrument = instrument
        self.logger = logger
        self.byteBufferAllocator = byteBufferAllocator
    }

    /// Sends `request`, injecting the current context (`ServiceContext.current`) when its host is allowed.
    ///
    /// - Parameter request: the request; headers of the injected names are replaced for allowed hosts.
    /// - Returns: a future of the response, failed when the URL is invalid or the request fails.
    public func send(_ request: ClientRequest) -> EventLoopFuture<ClientResponse> {
        let url = request.url.string
        guard let parsed = URL(string: url) else {
            return eventLoop.makeFailedFuture(Abort(.internalServerError, reason: "\(url) is not a valid URL"))
        }
        var headers = request.headers
        let span = tracingOrigins.allows(url: url) ? startSpan(request.method, url: url, injectingInto: &headers) : nil
        let sent: EventLoopFuture<HTTPClient.Response>
        do {
            let outgoing = try HTTPClient.Request(url: parsed, method: request.method, headers: headers, body: request.body.map { .byteBuffer($0) })
            sent = http.execute(
                request: outgoing,
                eventLoop: .delegate(on: eventLoop),
                deadline: request.timeout.map { .now() + $0 },
                logger: logger
            )
        } catch {
            span?.recordError(error)
            span?.setStatus(SpanStatus(code: .error))
            span?.end()
            return eventLoop.makeFailedFuture(error)
        }
        let allocator = byteBufferAllocator
        return sent.map { response in
            if let span {
                span.attributes["http.response.status_code"] = Int(response.status.code)
                if response.status.code >= 400 { span.setStatus(SpanStatus(code: .error)) }
                span.end()
            }
            return ClientResponse(status: response.status, headers: response.headers, body: response.body, byteBufferAllocator: allocator)
        }.flatMapErrorThrowing { error in
            span?.recordError(error)
            span?.setStatus(SpanStatus(code: .error))
            span?.end()
            throw error
        }
    }

    /// Starts the CLIENT span of an allowed request and injects its context into `headers`.
    private func startSpan(_ method: HTTPMethod, url: String, injectingInto headers: inout HTTPHeaders) -> any Span {
        let parent = ServiceContext.current ?? .topLevel
        let span = InstrumentationSystem.tracer.startSpan(method.rawValue, context: parent, ofKind: .client)
        span.updateAttributes { attributes in
            attributes["http.request.method"] = method.rawValue
            attributes["url.full"] = url
        }
        span.setHighlightSession(from: parent)
        span.context.inject(into: &headers, using: HTTPHeadersInjector(), instrument: instrument)
        return span
    }

    /// The same client, with one setting changed (Vapor calls this for each request).
    ///
    /// - Parameter eventLoop: the event loop the returned futures complete on.
    /// - Returns: the new client, with the same allowlist and instrument.
    public func delegating(to eventLoop: any EventLoop) -> any Client {
        HighlightVaporClient(http: http, eventLoop: eventLoop, tracingOrigins: tracingOrigins, instrument: instrument, logger: logger, byteBufferAllocator: byteBufferAllocator)
    }

    /// The same client, with one setting changed (Vapor calls this for each request).
    ///
    /// - Parameter logger: the logger AsyncHTTPClient logs each request with.
    /// - Returns: the new client, with the same allowlist and instrument.
    public func logging(to logger: Logger) -> any Client {
        HighlightVaporClient(http: http, eventLoop: eventLoop, tracingOrigins: tracingOrigins, instrument: instrument, logger: logger, byteBufferAllocator: byteBufferAllocator)
    }

    /// The same client, with one setting changed (Vapor calls this for each request).
    ///
    /// - Parameter byteBufferAllocator: allocates body buffers.
    /// - Returns: the new client, with the same allowlist and instrument.
    public func allocating(to byteBufferAllocator: ByteBufferAllocator) -> any Client {
        HighlightVaporClient(http: http, eventLoop: eventLoop, tracingOrigins: tracingOrigins, instrument: instrument, logger: logger, byteBufferAllocator: byteBufferAllocator)
    }
}

extension Application.Clients.Provider {
    /// `app.client` and `req.client` become a ``HighlightVaporClient`` over Vapor's shared AsyncHTTPClient
    /// (`app.http.client.shared`, configured as usual through `app.http.client.configuration`).
    ///
    /// - Parameters:
    ///   - tracingOrigins: the hosts that receive the session and trace (`host`, `host:port` or `*.domain`).
    ///   - instrument: the instrument used for injection; `nil` for the bootstrapped one.
    ///
    /// - Returns: the provider for `app.clients.use(_:)`.
    public static func highlight(tracingOrigins: HighlightPropagation.TracingOrigins, instrument: (any Instrument)? = nil) -> Self {
        .init { app in
            app.clients.use { app in
                HighlightVaporClient(
                    http: app.http.client.shared,
                    eventLoop: app.eventLoopGroup.any(),
                    tracingOrigins: tracingOrigins,
                    instrument: instrument,
                    logger: app.logger,
                    byteBufferAllocator: app.allocator
                )
            }
        }
    }
}
