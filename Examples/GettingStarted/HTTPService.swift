// Getting started, step 1: an HTTP service that restores the browser's session (README, DocC "Getting started").
import Highlight
import HighlightHummingbird
import Hummingbird
import ServiceLifecycle
import UnixSignals

func runOrdersAPI() async throws {
    let telemetry = try H.bootstrap(.init(projectID: "<your highlight project id>", serviceName: "orders-api"))
    let router = Router()
    // Browsers on app.example.com may send x-highlight-request, traceparent, tracestate and baggage here.
    router.add(middleware: HighlightMiddleware(cors: .init(allowedOrigins: .list(["https://app.example.com"]))))
    router.post("orders") { _, _ -> HTTPResponse.Status in
        H.log("order received")  // carries highlight.session_id of the browser's session
        return .accepted
    }
    let app = Application(router: router, configuration: .init(address: .hostname("0.0.0.0", port: 8080)))
    try await ServiceGroup(services: [telemetry, app], gracefulShutdownSignals: [.sigterm], logger: app.logger).run()
}
