import Foundation
/// The table `hlkafka demo` ends with, and whether the run showed what it should.
struct DemoSummary {
    let journeys: [DemoRecorder.Journey]
    let exporting: Bool

    static let expectedHops = ["api", "inventory (gRPC)", "kafka", "worker"]

    var table: String {
        var rows: [[String]] = [["session", "request id", "trace id", "hops", "error linked to the session"]]
        for journey in journeys {
            let traceIDs = Set(journey.traceIDs)
            let trace = traceIDs.count == 1 ? traceIDs.first! : traceIDs.isEmpty ? "-" : "MISMATCH \(traceIDs.sorted())"
            let error = journey.error.map { "\($0) (session \(journey.errorSession == journey.session ? "matches" : "MISMATCH"))" } ?? "-"
            rows.append([
                String(journey.session.prefix(12)) + "…",
                journey.requestID,
                trace,
                (["browser"] + journey.hops).joined(separator: " → "),
                error,
            ])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            "| " + zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: " | ") + " |"
        }
        let separator = "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"
        var text = "\nSummary (one row per simulated browser request)\n"
        text += line(rows[0]) + "\n" + separator + "\n"
        for row in rows.dropFirst() { text += line(row) + "\n" }
        text += exporting
            ? "Telemetry was exported to the configured OTLP endpoint; open the sessions above in highlight.\n"
            : "Telemetry was printed above (set HIGHLIGHT_PROJECT_ID or OTEL_EXPORTER_OTLP_ENDPOINT to export it).\n"
        if let problem { text += "PROBLEM: \(problem)\n" }
        return text
    }

    /// Why the run does not show the fullstack mapping, or `nil` when it does.
    var problem: String? {
        guard journeys.count == DemoBrowser.visits.count else { return "expected \(DemoBrowser.visits.count) requests, saw \(journeys.count)" }
        for journey in journeys {
            for hop in Self.expectedHops where !journey.hops.contains(hop) {
                return "request \(journey.requestID) never reached \(hop)"
            }
            if Set(journey.traceIDs).count != 1 { return "request \(journey.requestID) changed trace id between hops" }
        }
        let failed = journeys.filter { $0.error != nil }
        guard failed.count == 1, let error = failed.first else { return "expected exactly one failed order, saw \(failed.count)" }
        guard error.errorSession == error.session else { return "the error was not linked to its session" }
        return nil
    }
}
