// The facade at a glance: bootstrap once, then report from anywhere (DocC: Highlight, the landing page).
import Highlight

/// Once per process; run the returned service in your `ServiceGroup` (see "Getting started").
func startReporting() throws -> HighlightService {
    try H.bootstrap(.init(projectID: "<project id>", serviceName: "orders-worker"))
}

/// Anywhere below a request or a message: the error is linked to the session `ServiceContext.current` holds.
func chargeFailed(_ error: any Error) {
    H.consumeError(error)
}
