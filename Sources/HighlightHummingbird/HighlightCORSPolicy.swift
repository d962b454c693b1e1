public import HighlightPropagation

/// Which browser origins may send the tracing headers to this service, and how the preflight answers.
///
/// The highlight browser SDK adds `x-highlight-request` (and `traceparent`, `tracestate`, `baggage`) to requests to
/// its `tracingOrigins`; for a cross-origin request the browser first asks this service, in a CORS preflight, whether
/// those headers are allowed. A missing or wrong answer is the first thing highlight users hit: the browser then
/// drops the request, or sends it without the headers.
///
/// Safe by default: an origin is allowed only when listed (or accepted by a custom rule), the `null` origin (sandboxed
/// frames, `file:` pages) never is, `.any` answers `*` and so never lets a browser send credentials, and credentials
/// are off unless asked for.
///
/// ```swift
/// HighlightMiddleware<BasicRequestContext>(cors: .init(allowedOrigins: .list(["https://app.example.com"])))
/// ```
public struct HighlightCORSPolicy: Sendable {
    /// The origins allowed.
    public enum AllowedOrigins: Sendable {
        /// None: no CORS headers are added (same-origin deployments).
        case none
        /// Any origin, answered with `Access-Control-Allow-Origin: *`. Browsers never send credentials (cookies,
        /// HTTP authentication) to a `*` answer, so ``HighlightCORSPolicy/allowCredentials`` does not apply.
        case any
        /// Exactly these origins, such as `https://app.example.com` (scheme, host and port, as browsers send them).
        case list([String])
        /// A decision per origin (the origin is echoed back when it returns true).
        case custom(@Sendable (String) -> Bool)
    }

    /// The origins allowed.
    public var allowedOrigins: AllowedOrigins
    /// Request headers allowed besides the tracing ones (`PropagationHeader.all`); `content-type` by default, so
    /// that a JSON body may be sent. Add `authorization` when the browser sends one.
    public var additionalAllowedHeaders: [String]
    /// Methods the preflight allows.
    public var allowedMethods: [String]
    /// Whether browsers may send cookies and credentials (`Access-Control-Allow-Credentials: true`). Only for listed
    /// or custom origins; never with ``AllowedOrigins/any``.
    public var allowCredentials: Bool
    /// How long a browser may cache the preflight answer, in seconds.
    public var maxAgeSeconds: Int

    /// The tracing headers the browser SDK sends: `PropagationHeader.all`.
    public static var tracingHeaders: [String] { PropagationHeader.all }

    /// Creates a policy.
    ///
    /// - Parameters:
    ///   - allowedOrigins: the origins whose requests may carry the tracing headers.
    ///   - additionalAllowedHeaders: request headers allowed besides the tracing ones.
    ///   - allowedMethods: the methods the preflight allows.
    ///   - allowCredentials: whether listed or custom origins may send credentials (off by default).
    ///   - maxAgeSeconds: how long browsers may cache a preflight answer.
    public init(
        allowedOrigins: AllowedOrigins,
        additionalAllowedHeaders: [String] = ["content-type"],
        allowedMethods: [String] = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allowCredentials: Bool = false,
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

    /// The `Access-Control-Allow-Origin` answer to a request from `origin`, or `nil` when it is not allowed.
    func allowOriginValue(for origin: String) -> String? {
        guard origin != "null", !origin.isEmpty else { return nil }
        switch allowedOrigins {
        case .none: return nil
        case .any: return "*"
        case .list(let origins): return origins.contains(origin) ? origin : nil
        case .custom(let decide): return decide(origin) ? origin : nil
        }
    }

    /// Whether the answer depends on the request's origin (so caches must key on it: `Vary: Origin`).
    var variesByOrigin: Bool {
        switch allowedOrigins {
        case .none, .any: false
        case .list, .custom: true
        }
    }

    /// Whether `Access-Control-Allow-Credentials: true` is sent to an allowed origin.
    var sendsCredentials: Bool {
        if case .any = allowedOrigins { return false }
        return allowCredentials
    }

    /// Whether the configuration asks for something it will not get: credentials with `.any`.
    var credentialsIgnored: Bool {
        if case .any = allowedOrigins { return allowCredentials }
        return false
    }

    var allowedHeadersValue: String { (Self.tracingHeaders + additionalAllowedHeaders).joined(separator: ", ") }
}
