import Instrumentation

/// Reads one carrier through an extractor, using every value when the extractor can list them.
struct CarrierReader<Extract: Extractor> {
    let extractor: Extract
    let carrier: Extract.Carrier
    /// The extractor as a ``HeaderValuesExtractor``, when it is one: cast once per extraction (a dynamic cast in this
    /// unspecialized code costs more than reading a header).
    private let multiValue: (any HeaderValuesExtractor)?

    init(extractor: Extract, carrier: Extract.Carrier) {
        self.extractor = extractor
        self.carrier = carrier
        // A cast to the plain protocol hits the runtime's conformance cache. Casting to
        // `any HeaderValuesExtractor<Extract.Carrier>` instead demangles the constrained existential on every call:
        // profiled at more than 1 µs, the whole cost of extracting from a message without context.
        self.multiValue = extractor as? any HeaderValuesExtractor
    }

    func last(_ key: String) -> String? {
        extractor.extract(key: key, from: carrier)
    }

    func all(_ key: String) -> [String] {
        if let multiValue { return Self.values(of: key, in: carrier, through: multiValue) }
        return extractor.extract(key: key, from: carrier).map { [$0] } ?? []
    }

    private static func values<Multi: HeaderValuesExtractor>(of key: String, in carrier: Extract.Carrier, through extractor: Multi) -> [String] {
        // `Multi` is the dynamic type of the `Extract` value it was cast from: `Extract` itself, or a subclass of it
        // that inherits its conformance, so `Multi.Carrier` is `Extract.Carrier` and the reinterpretation is exact.
        assert(Multi.Carrier.self == Extract.Carrier.self)
        return extractor.extractAll(key: key, from: unsafeBitCast(carrier, to: Multi.Carrier.self))
    }
}
