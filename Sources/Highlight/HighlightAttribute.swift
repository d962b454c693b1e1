import HighlightPropagation

/// The attribute names highlight's backend reads (see its OTLP ingest).
public enum HighlightAttribute {
    /// Links an error or log to a session. The only attribute that does.
    public static let sessionID = HighlightSessionAttribute.sessionID
    /// The request id from `x-highlight-request`; replaces the OTLP trace id on the stored row.
    public static let traceID = HighlightSessionAttribute.requestID
    /// The project.
    public static let projectID = "highlight.project_id"
    /// The header that names the project on an export request.
    public static let projectHeader = "x-highlight-project"
}
