import W3CTraceContext
public import Logging
import HighlightPropagation
import Instrumentation

extension Highlight {
    /// Adds `highlight.session_id`, `highlight.trace_id` (the request id), `trace_id` and `span_id` from
    /// `ServiceContext.current` to every log record, so a log written anywhere inside a restored context links to its
    /// session.
    ///
    /// ```swift
    /// LoggingSystem.bootstrap(StreamLogHandler.standardOutput, metadataProvider: Highlight.metadataProvider)
    /// ```
    public static let metadataProvider = Logger.MetadataProvider {
        guard let context = ServiceContext.current else { return [:] }
        var metadata: Logger.Metadata = [:]
        if let request = context.highlightRequest {
            metadata[HighlightAttribute.sessionID] = .string(request.sessionSecureID)
            if let requestID = request.requestID { metadata[HighlightAttribute.traceID] = .string(requestID) }
        }
        if let trace = context.outgoingTraceContext() {
            metadata["trace_id"] = .string("\(trace.traceID)")
            metadata["span_id"] = .string("\(trace.spanID)")
        }
        return metadata
    }
}
