import Benchmark
import HighlightPropagation
import HighlightTracing
import HighlightVapor
import Vapor

/// Vapor.*: the per-request cost of `HighlightVaporMiddleware`, against the same route without it and with an
/// `AsyncMiddleware` that only calls on (what any async middleware costs in Vapor: a task and two hops between the
/// event loop and the concurrency pool). A request with a session and a `traceparent` goes through the application's
/// responder (routing, middleware, the async handler, the response), without the network, with this package's tracer
/// bootstrapped (by `registerGRPCInterceptors`); its ended spans go to `spans`, which the loop empties every 4,096
/// requests.
func registerVaporMiddleware(spans: TelemetryQueue<HighlightSpan>) {
    let headers: HTTPHeaders = [
        "x-highlight-request": "k3bP0aQeR7tYuI9oPlKjHgFdSa1A/a1B2c3D4e5",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    ]
    let variants: [(String, (any Middleware)?)] = [
        ("Vapor.BareRoute", nil),
        ("Vapor.EmptyAsyncMiddleware", PassThroughMiddleware()),
        ("Vapor.HighlightMiddleware", HighlightVaporMiddleware()),
    ]
    for (name, middleware) in variants {
        Benchmark(name) { benchmark in
            let app = try await Application.make(.testing)
            app.logger.logLevel = .critical
            if let middleware { app.middleware.use(middleware) }
            app.get("orders", ":id") { _ async -> HTTPStatus in .ok }
            try await app.asyncBoot()
            let eventLoop = app.eventLoopGroup.any()
            benchmark.startMeasurement()
            for iteration in benchmark.scaledIterations {
                let request = Request(application: app, method: .GET, url: URI(path: "/orders/7"), headers: headers, on: eventLoop)
                blackHole(try await app.responder.current.respond(to: request).get())
                if iteration & 4095 == 0 { blackHole(spans.takeAll()) }
            }
            benchmark.stopMeasurement()
            try await app.asyncShutdown()
        }
    }
}

/// An `AsyncMiddleware` that only calls the next responder: the floor of any async middleware.
struct PassThroughMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try await next.respond(to: request)
    }
}
