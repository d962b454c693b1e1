import HighlightPropagation
public import Hummingbird
public import Instrumentation
public import Logging
import Tracing

/// Restores the frontend session (and trace and baggage) of every request into `ServiceContext` for the handler,
/// wraps the handler in a SERVER span when a tracer is bootstrapped, and answers CORS so browsers may send the tracing
/// headers.
///
/// ```swift
/// let router = Router()
/// router.add(middleware: HighlightMiddleware(cors: .init(allowedOrigins: .list(["https://app.example.com"]))))
/// router.post("orders") { request, context in
///     // ServiceContext.current?.highlightRequest is the browser's session here.
///     try await producer.send(...)   // a traced producer carries it on
/// }
/// ```
public struct HighlightMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The CORS policy; default same-origin (no CORS headers).
    public let cors: HighlightCORSPolicy
    /// The instrument used for extraction; `nil` resolves the bootstrapped one on every request.
    public let instrument: (any Instrument)?
    private let logger: Logger

    /// Creates the middleware.
    public init(cors: HighlightCORSPolicy = .sameOrigin, instrument: (any Instrument)? = nil, logger: Logger = Logger(label: "highlight.http")) {
        self.cors = cors
        self.instrument = instrument
        self.logger = logger
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let origin = request.headers[.origin]
        if request.method == .options, let origin, request.headers[.accessControlRequestMethod] != nil {
            return preflight(origin: origin)
        }
        let extracted = ServiceContext.extract(from: request.headers, instrument: instrument)
        let span = InstrumentationSystem.tracer.startSpan("\(request.method.rawValue) \(request.uri.path)", context: extracted, ofKind: .server)
        span.updateAttributes { attributes in
            attributes["http.request.method"] = request.method.rawValue
            attributes["url.path"] = request.uri.path
        }
        defer { span.end() }
        var response: Response
        do {
            response = try await ServiceContext.withValue(span.context) { try await next(request, context) }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
        span.attributes["http.response.status_code"] = Int(response.status.code)
        if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
        if let origin { addCORSHeaders(to: &response.headers, origin: origin) }
        return response
    }

    private func preflight(origin: String) -> Response {
        var response = Response(status: .noContent)
        guard cors.allowedOrigins.allows(origin) else {
            logger.debug("CORS preflight refused: add this origin to HighlightCORSPolicy.allowedOrigins", metadata: ["origin": "\(origin)"])
            response.headers[.vary] = "Origin"
            return response
        }
        addCORSHeaders(to: &response.headers, origin: origin)
        response.headers[.accessControlAllowMethods] = cors.allowedMethods.joined(separator: ", ")
        response.headers[.accessControlAllowHeaders] = cors.allowedHeadersValue
        response.headers[.accessControlMaxAge] = String(cors.maxAgeSeconds)
        return response
    }

    private func addCORSHeaders(to headers: inout HTTPFields, origin: String) {
        guard cors.allowedOrigins.allows(origin) else { return }
        headers[.accessControlAllowOrigin] = origin
        headers[.vary] = "Origin"
        if cors.allowCredentials { headers[.accessControlAllowCredentials] = "true" }
    }
}
