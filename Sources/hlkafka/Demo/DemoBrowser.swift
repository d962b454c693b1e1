import NIOHTTP1
import AsyncHTTPClient
import HighlightAsyncHTTPClient
import Foundation
import NIOCore

/// Plays the highlight browser SDK: requests to the API carry `x-highlight-request: <session>/<request>`, and some a
/// W3C `traceparent` (as when the browser runs OpenTelemetry).
enum DemoBrowser {
    struct Visit {
        let session: String
        let requestID: String
        let item: String
        let traceParent: String?
    }

    static let visits = [
        Visit(session: "k3bP0aQeR7tYuI9oPlKjHgFdSa1A", requestID: "a1B2c3D4e5", item: "coffee", traceParent: nil),
        Visit(session: "k3bP0aQeR7tYuI9oPlKjHgFdSa1A", requestID: "f6G7h8I9j0", item: "tea", traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        Visit(session: "Zq9Wm2Lx7Vn4Bc1Df8Gh3Jk6Pr0T", requestID: "Kl1Mn2Op3Q", item: "cake", traceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03"),
        Visit(session: "Zq9Wm2Lx7Vn4Bc1Df8Gh3Jk6Pr0T", requestID: "Rs4Tu5Vw6X", item: "broken", traceParent: nil),
    ]

    /// The origin the simulated browser's page is on (the API allows it).
    static let origin = "http://localhost:3000"

    static func run(apiURL: String, recorder: DemoRecorder) async throws {
        for visit in visits {
            recorder.started(session: visit.session, requestID: visit.requestID, sentTraceParent: visit.traceParent != nil)
            var request = HTTPClientRequest(url: "\(apiURL)/orders?item=\(visit.item)")
            request.method = .POST
            request.headers.add(name: "x-highlight-request", value: "\(visit.session)/\(visit.requestID)")
            request.headers.add(name: "origin", value: origin)
            if let traceParent = visit.traceParent { request.headers.add(name: "traceparent", value: traceParent) }
            // A browser is no traced service: a client without AsyncHTTPClient's own tracing sends exactly these headers.
            let response = try await HighlightHTTPClient.sharedClient.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 64 * 1024)
            DemoCommand.progress("browser: POST /orders?item=\(visit.item) as \(visit.session.prefix(6))…/\(visit.requestID) → \(response.status.code) \(String(buffer: body))")
        }
    }
}
