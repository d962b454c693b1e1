// The README's quick start, kept compiling and running by `make test` (see the README's "Quick start").
import HighlightPropagation
import Instrumentation

InstrumentationSystem.bootstrap(HighlightPropagator())

// Inbound: restore the browser's session from any carrier (HTTP fields, Kafka headers, a dictionary).
let inbound = ServiceContext.extract(from: ["X-Highlight-Request": "a1b2c3/req42"])
ServiceContext.withValue(inbound) {
    print(ServiceContext.current?.highlightRequest?.sessionSecureID ?? "no session")  // a1b2c3
    var outbound: [String: String] = [:]
    ServiceContext.injectCurrent(into: &outbound)  // x-highlight-request, baggage (and traceparent when one came in)
    print(outbound.sorted { $0.key < $1.key })
}
