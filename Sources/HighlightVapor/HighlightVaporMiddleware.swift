import Highlight
import HighlightAsyncHTTPClient
import HighlightPropagation
public import Instrumentation
import Tracing
public import Vapor

/// Restores the frontend session (and trace and baggage) of every request for the route handler and everything it
/// calls, and wraps the handler in a SERVER span named by its route.
///
/// ```swift
/// let app = try await Application.make()
/// app.middleware.use(CORSMiddleware(configuration: try .highlight(allowedOrigins: ["https://app.example.com"])), at: .beginning)
/// app.middleware.use(HighlightVaporMiddleware())
/// app.post("orders", ":id") { request async throws -> HTTPStatus in
///     // ServiceContext.current?.highlightRequest is the browser's session here; the span is "POST /orders/:id".
///     try await producer.send(...)   // a traced Kafka producer carries it on
///     return .accepted
/// }
/// ```
///
/// The context is bound to the handler's task (`ServiceContext.current`) and set as `request.serviceContext`, which
/// Vapor restores around `EventLoopFuture` handlers when `app.traceAutoPropagation` is on.
///
/// An error the handler throws that answers 5xx is reported once: through `Highlight.consumeError` when the facade is
/// bootstrapped (linked to the session, as an `exception` highlight shows), otherwise on the span. A 4xx (`Abort`
/// with a client status) is the client's and marks nothing. Header values are never logged.
///
/// With Vapor's own `TracingMiddleware` added before this one, its SERVER span is the request's span: this middleware
/// then continues the context it restored (no second SERVER span), so the request keeps one trace and one session.
public struct HighlightVaporMiddleware: AsyncMiddleware {
    /// The instrument used for extraction; `nil` resolves the bootstrapped one on every request.
    public let instrument: (any Instrument)?

    /// Creates the middleware.
    ///
    /// - Parameter instrument: the instrument that extracts the context; `nil` for the bootstrapped one (a default
    ///   `HighlightPropagator` when nothing is bootstrapped).
    public init(instrument: (any Instrument)? = nil) {
        self.instrument = instrument
    }

    /// Runs the rest of the chain inside the request's context and its SERVER span.
    ///
    /// - Parameters:
    ///   - request: the request.
    ///   - next: the rest of the chain and the route handler.
    /// - Returns: the handler's response.
    /// - Throws: what `next` throws; a 5xx one is reported once (see above).
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // An outer middleware (Vapor's TracingMiddleware) already restored the request's context: continue it.
        if let upstream = ServiceContext.current, !request.serviceContext.isEmpty {
            return try await ServiceContext.withValue(upstream) {
                do {
                    return try await next.respond(to: request)
                } catch {
                    if Self.status(answering: error).code >= 500, Highlight.isBootstrapped { Highlight.consumeError(error) }
                    throw error
                }
            }
        }
        let extracted = ServiceContext.extract(from: request.headers, using: HTTPHeadersExtractor(), instrument: instrument)
        let method = request.method.rawValue
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") }
        let span = InstrumentationSystem.tracer.startSpan(route.map { "\(method) \($0)" } ?? method, context: extracted, ofKind: .server)
        span.updateAttributes { attributes in
            attributes["http.request.method"] = method
            attributes["url.path"] = request.url.path
            if let route { attributes["http.route"] = route }
            if let userAgent = request.headers.first(name: .userAgent) { attributes["user_agent.original"] = userAgent }
        }
        span.setHighlightSession(from: extracted)
        defer { span.end() }
        let context = span.context
        let previous = request.serviceContext
        request.serviceContext = context
        defer { request.serviceContext = previous }
        return try await ServiceContext.withValue(context) {
            do {
                let response = try await next.respond(to: request)
                span.attributes["http.response.status_code"] = Int(response.status.code)
                if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
                return response
            } catch {
                let status = Self.status(answering: error)
                span.attributes["http.response.status_code"] = Int(status.code)
                if status.code >= 500 {
                    // Once: the facade's error event carries the session; the span only says it failed.
                    if Highlight.isBootstrapped { Highlight.consumeError(error) } else { span.recordError(error) }
                    span.setStatus(SpanStatus(code: .error))
                }
                throw error
            }
        }
    }

    /// The status Vapor's `ErrorMiddleware` answers `error` with: an `AbortError`'s own, otherwise 500.
    static func status(answering error: any Error) -> HTTPResponseStatus {
        (error as? any AbortError)?.status ?? .internalServerError
    }
}
