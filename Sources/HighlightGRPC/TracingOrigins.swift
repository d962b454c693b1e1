public import HighlightPropagation

/// The hosts whose calls carry the context: `TracingOrigins`, shared with the HTTP client,
/// named here too so that `import HighlightGRPC` alone is enough to use it.
public typealias TracingOrigins = HighlightPropagation.TracingOrigins
