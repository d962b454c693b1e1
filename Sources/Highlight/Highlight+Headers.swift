public import HighlightPropagation
public import HTTPTypes
public import Instrumentation

// The headers' session on its own, for code that reads it without restoring a context.
extension Highlight {
    /// The session and request a carrier holds, by this package's parsing rules (the `x-highlight-request` header,
    /// else its baggage mirror); what highlight's Node SDK calls `parseHeaders`.
    ///
    /// - Parameter headers: header names (any case) and values.
    /// - Returns: the session and request, or `nil` when the carrier holds none or only a refused value.
    public static func parseHeaders(_ headers: [String: String]) -> HighlightRequestContext? {
        ServiceContext.extract(from: headers, instrument: parsingPropagator).highlightRequest
    }

    /// ``parseHeaders(_:)-([String:String])`` over HTTP fields.
    ///
    /// - Parameter headers: the request's header fields.
    /// - Returns: the session and request, or `nil` when the fields hold none or only a refused value.
    public static func parseHeaders(_ headers: HTTPFields) -> HighlightRequestContext? {
        ServiceContext.extract(from: headers, instrument: parsingPropagator).highlightRequest
    }

    /// ``parseHeaders(_:)-([String:String])`` over any carrier.
    ///
    /// - Parameters:
    ///   - carrier: the carrier to read.
    ///   - extractor: reads one value of `carrier` by name.
    /// - Returns: the session and request, or `nil` when the carrier holds none or only a refused value.
    public static func parseHeaders<Extract: Extractor>(_ carrier: Extract.Carrier, using extractor: Extract) -> HighlightRequestContext? {
        ServiceContext.extract(from: carrier, using: extractor, instrument: parsingPropagator).highlightRequest
    }

    /// The default propagator, made once (with its logger and statistics) rather than on every call.
    private static let parsingPropagator: any Instrument = HighlightPropagator()
}
