// A gRPC handler that restores the session by hand, without the interceptor (DocC: HighlightPropagation, "Writing a carrier").
import GRPCCore
import HighlightGRPC
import HighlightPropagation
import Instrumentation

/// Runs `handler` in the session, baggage and trace that the request's metadata carries.
func restoringTheSession<Message: Sendable, Result>(
    of request: StreamingServerRequest<Message>,
    _ handler: () async throws -> Result
) async rethrows -> Result {
    let context = ServiceContext.extract(from: request.metadata, using: GRPCMetadataExtractor())
    return try await ServiceContext.withValue(context) { try await handler() }
}
