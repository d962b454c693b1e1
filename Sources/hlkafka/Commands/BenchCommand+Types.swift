import ArgumentParser

// The values `hlkafka bench` takes and prints.
extension BenchCommand {
    enum Operation: String, ExpressibleByArgument, CaseIterable { case produce, consume }
    /// `traced` is the wrapper with its defaults (a span per message); `propagate` is the wrapper with
    /// `createSpans: false` (context injected and restored, no span per message).
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case raw
        /// produce only: the raw C producer sending the headers the wrapper writes, a new header list per message.
        case rawHeaders = "raw-headers"
        /// consume only: the raw C consumer also copying key, value and headers, as the Swift client does.
        case rawCopy = "raw-copy"
        case plain
        /// produce only: the plain client sending the headers the wrapper writes, made once.
        case plainHeaders = "plain-headers"
        case traced, propagate

        /// The modes `operation` runs when none is named (producing, librdkafka copies in every mode; consuming,
        /// every mode reads the same messages, headers included).
        static func all(for operation: Operation) -> [Mode] {
            allCases.filter { operation == .produce ? $0 != .rawCopy : $0 != .rawHeaders && $0 != .plainHeaders }
        }
    }

    struct Result: Encodable {
        let mode: String
        let operation: String
        let messages: Int
        let seconds: Double
        let messagesPerSecond: Double
        /// consume only: resident memory growth from warm-up (median of readings at 10–19% of the messages) to the end (91–100%), in MB.
        let residentGrowthMB: Double?
        /// consume only: resident memory growth from mid-run (50–59%) to the end (91–100%), in MB.
        let residentGrowthSecondHalfMB: Double?
        /// consume only: growth of the allocator's bytes in use, warm-up to end (glibc), in MB.
        let heapGrowthMB: Double?
        /// consume only: resident memory at every 1% of the messages, in MB (index i: after i%).
        let residentReadingsMB: [Double?]?
        /// consume with --heap-statistics: the allocator's bytes in use at every 1% of the messages, in MB.
        let heapReadingsMB: [Double?]?
        /// traced with --export: the spans the exporter's full queue refused during this run (a rate reached while
        /// dropping spans is not a rate the exporter keeps up with).
        var spansDropped: Int? = nil
    }
}
