// A carrier of your own, a list of name/value pairs (DocC: HighlightPropagation, "Writing a carrier").
import HighlightPropagation
import Instrumentation

struct PairMetadata: Sendable {
    var pairs: [(String, String)] = []
}

struct PairMetadataExtractor: HeaderValuesExtractor {
    func extractAll(key: String, from carrier: PairMetadata) -> [String] {
        carrier.pairs.filter { $0.0.lowercased() == key }.map(\.1)
    }
}

struct PairMetadataInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout PairMetadata) {
        carrier.pairs.removeAll { $0.0.lowercased() == key }
        carrier.pairs.append((key, value))
    }
}

/// Server side: runs `handler` in the session (and trace and baggage) that `incoming` carries.
func handle<Result>(_ incoming: PairMetadata, _ handler: () async throws -> Result) async rethrows -> Result {
    let context = ServiceContext.extract(from: incoming, using: PairMetadataExtractor())
    return try await ServiceContext.withValue(context) { try await handler() }
}

/// Client side: the current session (and trace and baggage), ready to send.
func outgoingMetadata() -> PairMetadata {
    var outgoing = PairMetadata()
    ServiceContext.injectCurrent(into: &outgoing, using: PairMetadataInjector())
    return outgoing
}
