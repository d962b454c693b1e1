import HighlightPropagation
public import Vapor

extension CORSMiddleware.Configuration {
    /// Vapor's `CORSMiddleware` configured so that the browser SDK may send the tracing headers
    /// (`x-highlight-request`, `traceparent`, `tracestate`, `baggage`) from exactly `allowedOrigins`.
    ///
    /// ```swift
    /// let cors = CORSMiddleware(configuration: try .highlight(allowedOrigins: ["https://app.example.com"]))
    /// app.middleware.use(cors, at: .beginning)   // before ErrorMiddleware, so errors carry the CORS answer too
    /// ```
    ///
    /// A preflight from an origin not listed gets no `Access-Control-Allow-Origin`, so the browser refuses it.
    /// Credentials (cookies, HTTP authentication) are allowed only when asked for, and only ever to listed origins.
    /// Vapor answers a listed origin without `Vary: Origin`: keep shared caches from storing these answers.
    ///
    /// - Parameters:
    ///   - allowedOrigins: origins as browsers send them: `https://app.example.com`, scheme, host and optional port,
    ///     no path, no trailing slash.
    ///   - additionalAllowedHeaders: request headers allowed besides the tracing ones; `content-type` by default.
    ///   - allowedMethods: the methods a preflight allows.
    ///   - allowCredentials: whether the listed origins may send credentials.
    ///   - cacheExpiration: how long, in seconds, a browser may cache a preflight answer.
    /// - Returns: the configuration for `CORSMiddleware(configuration:)`.
    /// - Throws: ``HighlightCORSError`` when an origin is `*`, `null`, or not of the form a browser sends (the
    ///   browser's `Origin` would then never match it).
    public static func highlight(
        allowedOrigins: [String],
        additionalAllowedHeaders: [HTTPHeaders.Name] = [.contentType],
        allowedMethods: [HTTPMethod] = [.GET, .POST, .PUT, .PATCH, .DELETE, .OPTIONS],
        allowCredentials: Bool = false,
        cacheExpiration: Int = 600
    ) throws(HighlightCORSError) -> CORSMiddleware.Configuration {
        guard !allowedOrigins.isEmpty else { throw HighlightCORSError(origin: "", problem: .noOrigins) }
        for origin in allowedOrigins { try HighlightCORSError.check(origin) }
        return CORSMiddleware.Configuration(
            allowedOrigin: .any(allowedOrigins),
            allowedMethods: allowedMethods,
            allowedHeaders: tracingHeaders + additionalAllowedHeaders,
            allowCredentials: allowCredentials,
            cacheExpiration: cacheExpiration
        )
    }

    /// The same for any origin, answered `Access-Control-Allow-Origin: *`: browsers never send credentials to such
    /// an answer, so none are allowed. For public APIs whose callers you do not know.
    ///
    /// - Parameters:
    ///   - additionalAllowedHeaders: request headers allowed besides the tracing ones; `content-type` by default.
    ///   - allowedMethods: the methods a preflight allows.
    ///   - cacheExpiration: how long, in seconds, a browser may cache a preflight answer.
    /// - Returns: the configuration for `CORSMiddleware(configuration:)`.
    public static func highlightAnyOrigin(
        additionalAllowedHeaders: [HTTPHeaders.Name] = [.contentType],
        allowedMethods: [HTTPMethod] = [.GET, .POST, .PUT, .PATCH, .DELETE, .OPTIONS],
        cacheExpiration: Int = 600
    ) -> CORSMiddleware.Configuration {
        CORSMiddleware.Configuration(
            allowedOrigin: .all,
            allowedMethods: allowedMethods,
            allowedHeaders: tracingHeaders + additionalAllowedHeaders,
            allowCredentials: false,
            cacheExpiration: cacheExpiration
        )
    }

    /// The headers the browser SDK sends: `PropagationHeader.all`.
    static var tracingHeaders: [HTTPHeaders.Name] { PropagationHeader.all.map { HTTPHeaders.Name($0) } }
}
