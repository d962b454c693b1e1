// Outgoing HTTP: the session and trace go to your own services only (DocC: HighlightAsyncHTTPClient).
import AsyncHTTPClient
import HighlightAsyncHTTPClient
import HighlightPropagation
import NIOCore
import NIOHTTP1

func reserve(item: String) async throws -> Bool {
    // Only inventory.internal receives x-highlight-request, traceparent and baggage; any other host gets nothing.
    let client = HighlightHTTPClient(tracingOrigins: ["inventory.internal"])
    var request = HTTPClientRequest(url: "http://inventory.internal/reserve?item=\(item)")
    request.method = .POST
    let response = try await client.execute(request, timeout: .seconds(5))
    return response.status == .ok
}
