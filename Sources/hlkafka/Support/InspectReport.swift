import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation

/// What `hlkafka inspect` counts, per partition and in total.
struct InspectReport {
    struct Counts: Encodable {
        var messages = 0
        var withHighlightRequest = 0
        var withTraceparent = 0
        var withBaggageSession = 0
        var withSession = 0
        var malformed = 0
        var sessions = Set<String>()

        var distinctSessions: Int { sessions.count }

        enum CodingKeys: String, CodingKey {
            case messages, withHighlightRequest, withTraceparent, withBaggageSession, withSession, malformed, distinctSessions
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(messages, forKey: .messages)
            try container.encode(withHighlightRequest, forKey: .withHighlightRequest)
            try container.encode(withTraceparent, forKey: .withTraceparent)
            try container.encode(withBaggageSession, forKey: .withBaggageSession)
            try container.encode(withSession, forKey: .withSession)
            try container.encode(malformed, forKey: .malformed)
            try container.encode(distinctSessions, forKey: .distinctSessions)
        }
    }

    struct MalformedExample: Encodable {
        let partition: Int32
        let offset: Int64
        let header: String
        let reason: String
        let value: String
    }

    let topic: String
    var partitions: [Int32: Counts]
    var total = Counts()
    var examples: [MalformedExample] = []

    init(topic: String, partitions: [Int32]) {
        self.topic = topic
        self.partitions = Dictionary(uniqueKeysWithValues: partitions.map { ($0, Counts()) })
    }

    mutating func add(_ message: KafkaConsumerMessage) {
        let extractor = KafkaHeadersExtractor()
        var counts = partitions[message.partition] ?? Counts()
        counts.messages += 1
        var session: String?
        var malformed = false

        if let value = extractor.extract(key: PropagationHeader.highlightRequest, from: message.headers) {
            do {
                if let request = try HighlightRequestContext.parse(value) {
                    counts.withHighlightRequest += 1
                    session = request.sessionSecureID
                }
            } catch {
                malformed = true
                example(message, PropagationHeader.highlightRequest, error, value)
            }
        }
        if let value = extractor.extract(key: PropagationHeader.traceParent, from: message.headers) {
            let parsed = W3CTraceContextParser.parse(traceParent: value, traceState: nil)
            if parsed.traceContext != nil {
                counts.withTraceparent += 1
            } else if let rejection = parsed.rejections.first {
                malformed = true
                example(message, PropagationHeader.traceParent, rejection, value)
            }
        }
        let baggageValues = extractor.extractAll(key: PropagationHeader.baggage, from: message.headers)
        if !baggageValues.isEmpty, let mirrored = W3CBaggage.parse(baggageValues).baggage?.value(forNameIgnoringCase: PropagationHeader.highlightRequest) {
            do {
                if let request = try HighlightRequestContext.parse(mirrored) {
                    counts.withBaggageSession += 1
                    session = session ?? request.sessionSecureID
                }
            } catch {
                malformed = true
                example(message, "baggage x-highlight-request", error, mirrored)
            }
        }
        if malformed { counts.malformed += 1 }
        if let session {
            counts.withSession += 1
            counts.sessions.insert(session)
        }
        let before = partitions[message.partition] ?? Counts()
        partitions[message.partition] = counts
        // The totals move by what this message added to its partition, instead of being summed again each time.
        total.messages += 1
        total.withHighlightRequest += counts.withHighlightRequest - before.withHighlightRequest
        total.withTraceparent += counts.withTraceparent - before.withTraceparent
        total.withBaggageSession += counts.withBaggageSession - before.withBaggageSession
        total.withSession += counts.withSession - before.withSession
        total.malformed += counts.malformed - before.malformed
        if let session { total.sessions.insert(session) }
    }

    private mutating func example(_ message: KafkaConsumerMessage, _ header: String, _ rejection: PropagationRejection, _ value: String) {
        guard examples.count < 5 else { return }
        examples.append(MalformedExample(partition: message.partition, offset: message.offset, header: header, reason: rejection.reason.rawValue, value: Self.printable(value)))
    }

    /// At most 40 characters, with control and format characters (CR, LF, ESC, bidi overrides, ...) and anything
    /// unassigned escaped, so a hostile value cannot rewrite the terminal; letters of any script are kept (`é` stays
    /// `é`).
    static func printable(_ value: String) -> String {
        var text = ""
        for scalar in value.unicodeScalars.prefix(40) {
            switch scalar.properties.generalCategory {
            case .control, .format, .unassigned, .surrogate, .privateUse, .lineSeparator, .paragraphSeparator:
                text += scalar.escaped(asASCII: true)
            default:
                text += String(scalar)
            }
        }
        return value.unicodeScalars.count > 40 ? text + "…" : text
    }

    var coveragePercent: Double { total.messages == 0 ? 0 : Double(total.withSession) * 100 / Double(total.messages) }
    var formattedCoverage: String { String(Double(Int(coveragePercent * 10)) / 10) }

    struct JSON: Encodable {
        struct Partition: Encodable {
            let partition: Int32
            let counts: Counts
            func encode(to encoder: any Encoder) throws {
                try counts.encode(to: encoder)
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(partition, forKey: Key("partition"))
            }
        }
        let topic: String
        let partitions: [Partition]
        let total: Counts
        let coveragePercent: Double
        let requiredCoverage: Double?
        let malformedExamples: [MalformedExample]
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func json(requiredCoverage: Double?) -> JSON {
        JSON(
            topic: topic,
            partitions: partitions.keys.sorted().map { JSON.Partition(partition: $0, counts: partitions[$0]!) },
            total: total,
            coveragePercent: coveragePercent,
            requiredCoverage: requiredCoverage,
            malformedExamples: examples
        )
    }

    func text(requiredCoverage: Double?) -> String {
        func share(_ part: Int, _ whole: Int) -> String { whole == 0 ? "-" : "\(part * 100 / whole)%" }
        var rows = [["partition", "messages", "x-highlight-request", "traceparent", "baggage session", "malformed", "sessions"]]
        func row(_ name: String, _ counts: Counts) -> [String] {
            [name, "\(counts.messages)", share(counts.withHighlightRequest, counts.messages), share(counts.withTraceparent, counts.messages),
             share(counts.withBaggageSession, counts.messages), "\(counts.malformed)", "\(counts.distinctSessions)"]
        }
        for partition in partitions.keys.sorted() { rows.append(row("\(partition)", partitions[partition]!)) }
        rows.append(row("total", total))
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = "topic \(topic)\n"
        for row in rows {
            text += zip(row, widths).map { String(repeating: " ", count: $1 - $0.count) + $0 }.joined(separator: "  ") + "\n"
        }
        text += "session coverage: \(formattedCoverage)% of \(total.messages) message(s)"
        if let requiredCoverage { text += " (required: \(requiredCoverage)%)" }
        for example in examples {
            text += "\nmalformed: partition \(example.partition) offset \(example.offset) \(example.header): \(example.reason): \"\(example.value)\""
        }
        return text
    }
}
