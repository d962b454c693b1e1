public import Instrumentation
public import Tracing

/// The span attributes that link a span to its frontend session in highlight.
public enum HighlightSessionAttribute {
    /// The session's secure id: `highlight.session_id`.
    public static let sessionID = "highlight.session_id"
    /// The request id (highlight calls it the trace id): `highlight.trace_id`.
    public static let requestID = "highlight.trace_id"
}

/// A span that writes the session attributes itself, from the context it started in (`HighlightSpan`), so that
/// ``Tracing/Span/setHighlightSession(from:)`` leaves it alone.
public protocol HighlightSessionRecordingSpan: Span {}

extension Span {
    /// Puts `highlight.session_id` and `highlight.trace_id` on this span when `context` holds a session, so that any
    /// tracer's spans (swift-otel's included) appear in the session's trace view in highlight, as highlight's own SDKs
    /// do for every span of a request.
    ///
    /// - Parameter context: the context the span started in (the one extracted from the request or message).
    public func setHighlightSession(from context: ServiceContext) {
        guard !(self is any HighlightSessionRecordingSpan), isRecording, let request = context.highlightRequest else { return }
        attributes[HighlightSessionAttribute.sessionID] = request.sessionSecureID
        if let requestID = request.requestID { attributes[HighlightSessionAttribute.requestID] = requestID }
    }
}
