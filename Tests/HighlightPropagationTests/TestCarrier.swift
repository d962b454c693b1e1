import HighlightPropagation
import Instrumentation

/// A carrier shaped like Kafka message headers (ordered, duplicate names allowed, byte values), written here in the
/// test and shipped nowhere: it proves the propagator works through any Extractor/Injector pair.
struct TestHeaders: Sendable, Equatable {
    var entries: [(name: String, value: [UInt8])] = []

    static func == (lhs: TestHeaders, rhs: TestHeaders) -> Bool {
        lhs.entries.map(\.name) == rhs.entries.map(\.name) && lhs.entries.map(\.value) == rhs.entries.map(\.value)
    }

    func string(_ name: String) -> String? {
        entries.last { $0.name.lowercased() == name }.map { String(decoding: $0.value, as: UTF8.self) }
    }
}

struct TestHeadersExtractor: HeaderValuesExtractor {
    func extractAll(key: String, from carrier: TestHeaders) -> [String] {
        carrier.entries.filter { $0.name.lowercased() == key.lowercased() }.map { String(decoding: $0.value, as: UTF8.self) }
    }
}

struct TestHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout TestHeaders) {
        carrier.entries.removeAll { $0.name.lowercased() == key.lowercased() }
        carrier.entries.append((key, Array(value.utf8)))
    }
}

/// The simplest carrier a user could write: only `Extractor`, one value per key.
struct SingleValueExtractor: Extractor {
    func extract(key: String, from carrier: [(String, String)]) -> String? {
        carrier.last { $0.0.lowercased() == key }?.1
    }
}

extension PropagationStatistics.Snapshot {
    func count(_ field: PropagationRejection.Field, _ reason: PropagationRejection.Reason) -> Int {
        rejections[PropagationRejection(field, reason)] ?? 0
    }
}
