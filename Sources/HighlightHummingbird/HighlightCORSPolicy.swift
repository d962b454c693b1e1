/// Which browser origins may send the tracing headers to this service, and how the preflight answers.
///
/// The highlight browser SDK adds `x-highlight-request` (and `traceparent`, `tracestate`, `baggage`) to requests to
/// its `tracingOrigins`; for a cross-origin request the browser first asks this service, in a CORS preflight, whether
/// those headers are allowed. A missing or wrong answer is the first thing highlight users hit: the browser then
/// drops the request, or sends it without the headers.
///
/// ```swift
/// HighlightMiddleware<BasicRequestContext>(cors: .init(allowedOrigins: .list(["https://app.example.com"])))
/// ```
public struct HighlightCORSPolicy: Sendable {
    /// The origins allowed.
    public enum AllowedOrigins: Sendable {
        /// None: no CORS headers are added (same-origin deployments).
        case none
        /// Any origin (the request's origin is echoed back, so credentials keep working).
        case any
        /// Exactly these origins, such as `https://app.example.com`.
        case list([String])
        /// A decision per origin.
        case custom(@Sendable (String) -> Bool)

        func allows(_ origin: String) -> Bool {
            switch self {
            case .none: false
            case .any: true
            case .list(let origins): origins.contains(origin)
            case .custom(let decide): decide(origin)
            }
        }
    }

    /// The origins allowed.
    public var allowedOrigins: AllowedOrigins
    /// Request headers allowed besides the tracing ones (`content-type`, `authorization` by default).
    public var additionalAllowedHeaders: [String]
    /// Methods the preflight allows.
    public var allowedMethods: [String]
    /// Whether browsers may send cookies and credentials.
    public var allowCredentials: Bool
    /// How long a browser may cache the preflight answer, in seconds.
    public var maxAgeSeconds: Int

    /// The tracing headers the browser SDK sends.
    public static let tracingHeaders = ["x-highlight-request", "traceparent", "tracestate", "baggage"]

    /// Creates a policy.
    public init(
        allowedOrigins: AllowedOrigins,
        additionalAllowedHeaders: [String] = ["content-type", "authorization"],
        allowedMethods: [String] = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allowCredentials: Bool = true,
        maxAgeSeconds: Int = 600
    ) {
        self.allowedOrigins = allowedOrigins
        self.additionalAllowedHeaders = additionalAllowedHeaders
        self.allowedMethods = allowedMethods
        self.allowCredentials = allowCredentials
        self.maxAgeSeconds = maxAgeSeconds
    }

    /// No CORS headers.
    public static let sameOrigin = HighlightCORSPolicy(allowedOrigins: .none)

    var allowedHeadersValue: String { (Self.tracingHeaders + additionalAllowedHeaders).joined(separator: ", ") }
}
