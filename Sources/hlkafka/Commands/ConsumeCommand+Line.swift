import ArgumentParser
import Foundation
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Instrumentation
import W3CTraceContext

extension ConsumeCommand {
    /// How a value is shown.
    enum ValueFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// UTF-8 text when it is printable, base64 otherwise (the line says which).
        case text
        /// Always base64.
        case base64
    }

    /// What one handler call saw.
    struct Line: Encodable, Sendable {
        struct Header: Encodable, Sendable {
            let name: String
            @Nullable var value: String?
        }

        let topic: String
        let partition: Int32
        let offset: Int64
        @Nullable var key: String?
        @Nullable var value: String?
        /// `utf8` or `base64`: how ``value`` is written.
        let valueEncoding: String
        /// Every header, with `--headers` only (values as UTF-8, invalid bytes replaced).
        @Nullable var headers: [Header]?
        @Nullable var sessionSecureId: String?
        @Nullable var requestId: String?
        @Nullable var traceId: String?
        @Nullable var spanId: String?
        @Nullable var parentSpanId: String?
        let baggage: [String: String]
        /// Why a propagation header of the message was refused (`field: reason`); the value itself is never shown.
        let refused: [String]
        let attempt: Int
        /// `handled`, or `failed` for a call `--fail-every` makes throw.
        let outcome: String
    }

    /// The line for `message`, handled in `current` (the span's context), its producer's context in `parent`.
    static func line(
        for message: KafkaTracedMessage, current: ServiceContext, linkOnly: Bool, valueFormat: ValueFormat, showHeaders: Bool, failing: Bool
    ) -> Line {
        let consumed = message.message
        let trace = current.outgoingTraceContext()
        let parent = linkOnly ? nil : message.extractedContext.outgoingTraceContext()
        let (value, encoding) = show(consumed.value, as: valueFormat)
        return Line(
            topic: consumed.topic,
            partition: consumed.partition,
            offset: consumed.offset,
            key: consumed.keyString,
            value: value,
            valueEncoding: encoding,
            headers: showHeaders ? consumed.headers.map { Line.Header(name: $0.name, value: $0.stringValue) } : nil,
            sessionSecureId: current.highlightRequest?.sessionSecureID,
            requestId: current.highlightRequest?.requestID,
            traceId: trace.map { "\($0.traceID)" },
            spanId: trace.map { "\($0.spanID)" },
            parentSpanId: parent.map { "\($0.spanID)" },
            baggage: Dictionary((current.baggage?.members ?? []).map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }),
            refused: refusals(in: consumed.headers),
            attempt: message.attempt,
            outcome: failing ? "failed" : "handled"
        )
    }

    /// `field: reason` for each propagation header of `headers` the propagator refuses.
    static func refusals(in headers: [KafkaHeader]) -> [String] {
        headers.flatMap { header -> [String] in
            guard PropagationHeader.all.contains(header.name.lowercased()), let value = header.stringValue else { return [] }
            return StrictInput.propagator.rejections(ofHeader: header.name, value: value).map { "\($0.field.rawValue): \($0.reason.rawValue)" }
        }
    }

    private static func show(_ bytes: [UInt8]?, as format: ValueFormat) -> (String?, String) {
        guard let bytes else { return (nil, "utf8") }
        if format == .text, let text = String(validating: bytes, as: UTF8.self),
            text.unicodeScalars.allSatisfy({ !$0.properties.generalCategory.isControl || $0 == "\n" || $0 == "\t" })
        {
            return (text, "utf8")
        }
        return (Data(bytes).base64EncodedString(), "base64")
    }
}

extension ConsumeCommand.Line {
    var text: String {
        let session = sessionSecureId ?? (refused.contains { $0.hasPrefix(PropagationHeader.highlightRequest) } ? "- (refused)" : "-")
        var text = "\(topic)[\(partition)]@\(offset) attempt=\(attempt) \(outcome) session=\(session) request=\(requestId ?? "-") "
            + "trace=\(traceId ?? "-") span=\(spanId ?? "-") parent=\(parentSpanId ?? "-")"
        if !baggage.isEmpty { text += " baggage=" + baggage.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
        text += " key=\(key ?? "-") value=\(valueEncoding == "base64" ? "base64:" : "")\(value ?? "-")"
        if let headers { text += " headers=" + headers.map { "\($0.name)=\($0.value ?? "")" }.joined(separator: ";") }
        for reason in refused { text += "\n  refused \(reason)" }
        return text
    }
}

private extension Unicode.GeneralCategory {
    var isControl: Bool { self == .control || self == .format || self == .unassigned || self == .surrogate || self == .privateUse }
}
