import AsyncHTTPClient
import HighlightAsyncHTTPClient
import NIOCore
import NIOHTTP1
import Vapor

/// A Vapor application bound to a free loopback port for one test: `configure` adds middleware and routes, `body`
/// sends it real requests; the application is shut down afterwards whatever happens.
enum VaporTestApp {
    static func with<Result>(
        configure: (Application) async throws -> Void,
        _ body: (_ baseURL: String) async throws -> Result
    ) async throws -> Result {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .critical
        do {
            try await configure(app)
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            guard let port = app.http.server.shared.localAddress?.port else { throw Abort(.internalServerError, reason: "no port") }
            let result = try await body("http://127.0.0.1:\(port)")
            await app.server.shutdown()
            try await app.asyncShutdown()
            return result
        } catch {
            await app.server.shutdown()
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Sends a request with `headers` (repeated names kept) and returns the answer.
    static func send(
        _ url: String,
        method: NIOHTTP1.HTTPMethod = .GET,
        headers: [(String, String)] = []
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return try await HighlightHTTPClient.sharedClient.execute(request, timeout: .seconds(30))
    }
}
