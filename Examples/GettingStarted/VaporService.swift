// The HTTP service of step 1 on Vapor, with HighlightVapor (DocC: HighlightVapor).
import Highlight
import HighlightPropagation
import HighlightVapor
import Vapor

func runOrdersAPIOnVapor() async throws {
    let telemetry = try H.bootstrap(.init(projectID: "<your highlight project id>", serviceName: "orders-api"))
    let app = try await Application.make(.detect())
    app.middleware.use(CORSMiddleware(configuration: try .highlight(allowedOrigins: ["https://app.example.com"])), at: .beginning)
    app.middleware.use(HighlightVaporMiddleware())
    // req.client carries the session to inventory.internal, and to no other host.
    app.clients.use(.highlight(tracingOrigins: ["inventory.internal"]))
    app.post("orders") { _ async throws -> HTTPStatus in
        H.log("order received")  // carries highlight.session_id of the browser's session
        return .accepted
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await telemetry.run() }  // exports until cancelled, then sends what is queued
        try await app.execute()
        try await app.asyncShutdown()
        group.cancelAll()
    }
}
