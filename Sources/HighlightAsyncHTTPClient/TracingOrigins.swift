public import HighlightPropagation

/// The hosts whose requests carry the tracing headers: `TracingOrigins`, shared with the gRPC
/// client interceptor, named here too so that `import HighlightAsyncHTTPClient` alone is enough to use it.
public typealias TracingOrigins = HighlightPropagation.TracingOrigins
