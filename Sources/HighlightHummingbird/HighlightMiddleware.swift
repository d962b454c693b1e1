public import HighlightPropagation
public import Hummingbird
public import Instrumentation
public import Logging
import Tracing

/// Restores the frontend session (and trace and baggage) of every request into `ServiceContext` for the handler,
/// wraps the handler in a SERVER span named by its route, and answers CORS so browsers may send the tracing headers.
///
/// ```swift
/// let router = Router()
/// router.add(middleware: HighlightMiddleware(cors: .init(allowedOrigins: .list(["https://app.example.com"]))))
/// router.post("orders/{id}") { request, context in
///     // ServiceContext.current?.highlightRequest is the browser's session here; the span is "POST /orders/{id}".
///     try await producer.send(...)   // a traced producer carries it on
/// }
/// ```
///
/// Hummingbird's own `TracingMiddleware` and `CORSMiddleware` do part of this; this middleware is used instead of
/// them because it also puts the session on the span (`highlight.session_id`, `highlight.trace_id`) whatever tracer
/// is bootstrapped, decides origins per request (`.custom`), refuses the `null` origin, and answers a preflight from
/// an origin it does not allow with no allow headers at all.
public struct HighlightMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The CORS policy; default same-origin (no CORS headers).
    public let cors: HighlightCORSPolicy
    /// The instrument used for extraction; `nil` resolves the bootstrapped one on every request.
    public let instrument: (any Instrument)?
    private let logger: Logger

    /// Creates the middleware.
    ///
    /// - Parameters:
    ///   - cors: which browser origins may send the tracing headers.
    ///   - instrument: the instrument that extracts the context; `nil` for the bootstrapped one.
    ///   - logger: where refused preflights (debug) and configuration warnings go.
    public init(cors: HighlightCORSPolicy = .sameOrigin, instrument: (any Instrument)? = nil, logger: Logger = Logger(label: "highlight.http")) {
        self.cors = cors
        self.instrument = instrument
        self.logger = logger
        if cors.credentialsIgnored {
            logger.warning("HighlightCORSPolicy: allowCredentials is ignored with .any (answered '*', which browsers never send credentials to); list the origins that need credentials")
        }
    }

    /// Answers a CORS preflight, or runs `next` inside the request's context and its SERVER span.
    ///
    /// - Parameters:
    ///   - request: the request.
    ///   - context: the request context.
    ///   - next: the rest of the chain and the route handler.
    /// - Returns: the response, with CORS headers for an allowed origin.
    /// - Throws: what `next` throws (a 5xx one is recorded on the span).
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await traced(request, context: context, next: next) }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return preflight(origin: origin)
        }
        let corsHeaders = responseHeaders(origin: origin)
        do {
            var response = try await traced(request, context: context, next: next)
            response.headers.append(contentsOf: corsHeaders)
            return response
        } catch {
            // The browser hides a response without CORS headers behind a CORS failure: the error's response gets
            // them too, so the page sees the real status.
            if corsHeaders.isEmpty { throw error }
            throw ResponseErrorWithHeaders(original: error, headers: corsHeaders)
        }
    }

    /// The handler inside the request's context and its SERVER span.
    private func traced(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let extracted = ServiceContext.extract(from: request.headers, instrument: instrument)
        let method = request.method.rawValue
        // Named by the route once routing has matched one (`POST /orders/{id}`), never by the raw path.
        let span = InstrumentationSystem.tracer.startSpan(method, context: extracted, ofKind: .server)
        span.updateAttributes { attributes in
            attributes["http.request.method"] = method
            attributes["url.path"] = request.uri.path
            if let userAgent = request.headers[.userAgent] { attributes["user_agent.original"] = userAgent }
        }
        span.setHighlightSession(from: extracted)
        defer { span.end() }
        do {
            let response = try await ServiceContext.withValue(span.context) { try await next(request, context) }
            name(span, method: method, context: context)
            span.attributes["http.response.status_code"] = Int(response.status.code)
            if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
            return response
        } catch {
            name(span, method: method, context: context)
            let status = (error as? any HTTPResponseError)?.status
            span.attributes["http.response.status_code"] = Int(status?.code ?? 500)
            // A client error (4xx) is the client's: the server span is not failed for it.
            if (status?.code ?? 500) >= 500 {
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error))
            }
            throw error
        }
    }

    private func name(_ span: any Span, method: String, context: Context) {
        guard let route = context.endpointPath else { return }
        span.operationName = "\(method) \(route)"
        span.attributes["http.route"] = route
    }

    /// The answer to a preflight: what every cross-origin response carries, plus, for an allowed origin, the methods,
    /// headers and cache time it may use.
    private func preflight(origin: String) -> Response {
        var response = Response(status: .noContent, headers: responseHeaders(origin: origin))
        guard response.headers[.accessControlAllowOrigin] != nil else {
            logger.debug("CORS preflight refused: add this origin to HighlightCORSPolicy.allowedOrigins", metadata: ["origin": "\(origin)"])
            return response
        }
        response.headers[.accessControlAllowMethods] = cors.allowedMethods.joined(separator: ", ")
        response.headers[.accessControlAllowHeaders] = cors.allowedHeadersValue
        response.headers[.accessControlMaxAge] = String(cors.maxAgeSeconds)
        return response
    }

    /// What every response to a cross-origin request carries (`Vary` when the answer depends on the origin, and the
    /// allowed origin and credentials when it is allowed).
    private func responseHeaders(origin: String) -> HTTPFields {
        var headers = HTTPFields()
        if cors.variesByOrigin { headers[values: .vary].append("Origin") }
        guard let allowOrigin = cors.allowOriginValue(for: origin) else { return headers }
        headers[.accessControlAllowOrigin] = allowOrigin
        if cors.sendsCredentials { headers[.accessControlAllowCredentials] = "true" }
        return headers
    }
}

/// An error whose response gets extra headers (the CORS answer), keeping the status and body of the original when it
/// has one (a plain error answers 500, as Hummingbird answers it).
struct ResponseErrorWithHeaders: HTTPResponseError {
    let original: any Error
    let headers: HTTPFields

    var status: HTTPResponse.Status { (original as? any HTTPResponseError)?.status ?? .internalServerError }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        guard let original = original as? any HTTPResponseError else { return Response(status: .internalServerError, headers: headers) }
        var response = try original.response(from: request, context: context)
        response.headers.append(contentsOf: headers)
        return response
    }
}
