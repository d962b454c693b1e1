package import Instrumentation

extension HighlightPropagator {
    /// ``inject(_:into:using:)`` for a carrier that stores bytes (Kafka headers): the same values under the same rules,
    /// handed over as UTF-8 bytes, and a local span's `traceparent` formatted straight into a buffer on the stack
    /// instead of a `String` that the carrier would copy again.
    package func injectBytes<Sink: PropagationByteSink>(_ context: ServiceContext, into sink: inout Sink) {
        forEachOutgoingValue(of: context, bytes: true) { Self.write($0, $1, into: &sink) }
    }

    /// ``injectBytes(_:into:)`` for a span of this package's tracer, from the values of the context it was
    /// started in (``LocalSpan/parentValues``) and its own ids: what travels is the span's context, which is never
    /// made or looked into.
    package func injectBytes<Sink: PropagationByteSink>(values: PropagatedValuesBox?, localSpan: SpanIdentity, into sink: inout Sink) {
        forEachOutgoingValue(values: values, localSpan: localSpan, bytes: true) { Self.write($0, $1, into: &sink) }
    }

    private static func write<Sink: PropagationByteSink>(_ name: String, _ value: OutgoingValue, into sink: inout Sink) {
        if case .shared(let shared) = value, let bytes = shared.bytes {
            sink.set(name, sharedBytes: bytes)
        } else {
            value.withUTF8 { sink.set(name, bytes: $0) }
        }
    }

    /// ``extract(_:into:using:)`` for a carrier that stores bytes (Kafka headers): the same values under the same
    /// rules. Names are matched in one pass; `traceparent` is parsed from its bytes; the values kept (session,
    /// `tracestate`, `baggage`) become one `String` each, decoded as the `String` path decodes them (an invalid
    /// UTF-8 byte becomes U+FFFD, which the rules then refuse).
    package func extractBytes<Source: PropagationByteSource>(from source: Source, into context: inout ServiceContext) {
        var memo = ByteExtractionMemo.none
        extractBytes(from: source, into: &context, memo: &memo)
    }

    /// ``extractBytes(from:into:)`` for one reader of many carriers: the session and baggage are taken from `memo`
    /// when this carrier sends the bytes it kept, and kept there otherwise.
    package func extractBytes<Source: PropagationByteSource>(from source: Source, into context: inout ServiceContext, memo: inout ByteExtractionMemo) {
        let (session, forwarded) = readBytes(from: source, memo: &memo)
        restore(into: &context, session: session, forwarded: forwarded)
    }

    /// What ``extractBytes(from:into:memo:)`` would store into an empty context, without making the context (see
    /// ``ExtractedValues``). Counted and refused as that extraction is.
    package func extractedValues<Source: PropagationByteSource>(from source: Source, memo: inout ByteExtractionMemo) -> ExtractedValues {
        let (session, forwarded) = readBytes(from: source, memo: &memo)
        return ExtractedValues(restoredValues(session: session, forwarded: forwarded))
    }

    /// The session, baggage and trace context a byte carrier sends, by the rules of ``extract(_:into:using:)``.
    private func readBytes<Source: PropagationByteSource>(
        from source: Source, memo: inout ByteExtractionMemo
    ) -> (InboundSession, (context: ForwardedTraceContext?, rejections: [PropagationRejection])?) {
        var found = FoundHeaders()
        for index in 0..<source.headerCount {
            if let name = source.nameOfValuedHeader(at: index) { found.note(name, at: index) }
        }
        func text(at index: Int) -> String {
            var text = ""
            source.withValue(at: index) { text = String(decoding: $0, as: UTF8.self) }
            return text
        }
        func values(_ indices: FoundHeaders.Indices) -> InboundValues {
            switch indices {
            case .none: .none
            case .one(let index): .one(text(at: index))
            case .many(let all): .many(all.map(text(at:)))
            }
        }

        var forwarded: (context: ForwardedTraceContext?, rejections: [PropagationRejection])?
        if configuration.forwardTraceContext, let traceParent = found.traceParent {
            let traceState: String? = switch values(found.traceStates) {
            case .none: nil
            case .one(let value): value
            case .many(let all): all.joined(separator: ",")
            }
            source.withValue(at: traceParent) {
                forwarded = W3CTraceContextParser.parseForwarding(traceParentBytes: $0, traceState: traceState)
            }
        }

        // Several baggage headers are never kept (see ByteExtractionMemo).
        let session: InboundSession
        let baggage: Int? = if case .one(let index) = found.baggages { index } else { nil }
        let keepable = if case .many = found.baggages { false } else { true }
        if keepable, let kept = memo.session(request: found.request, baggage: baggage, in: source, limits: configuration.limits) {
            session = kept
        } else {
            session = resolveSession(request: found.request.map(text(at:)), baggage: values(found.baggages))
            if keepable { memo.keep(session, request: found.request, baggage: baggage, in: source, limits: configuration.limits) }
        }
        return (session, forwarded)
    }
}

/// Where the headers the propagator reads are in a byte carrier: the last `x-highlight-request` and `traceparent`,
/// every `tracestate` and `baggage`. Names are compared ignoring ASCII case, as ``HeaderValuesExtractor``s do.
private struct FoundHeaders {
    enum Indices {
        case none
        case one(Int)
        case many([Int])

        mutating func append(_ index: Int) {
            switch self {
            case .none: self = .one(index)
            case .one(let first): self = .many([first, index])
            case .many(var all):
                self = .none  // the array's only reference moves to `all`, so appending copies nothing
                all.append(index)
                self = .many(all)
            }
        }
    }

    var request: Int?
    var traceParent: Int?
    var traceStates = Indices.none
    var baggages = Indices.none

    /// The four names have four different lengths: one comparison at most per header.
    mutating func note(_ name: String, at index: Int) {
        switch name.utf8.count {
        case 19 where name.equalsIgnoringASCIICase(PropagationHeader.highlightRequest): request = index
        case 11 where name.equalsIgnoringASCIICase(PropagationHeader.traceParent): traceParent = index
        case 10 where name.equalsIgnoringASCIICase(PropagationHeader.traceState): traceStates.append(index)
        case 7 where name.equalsIgnoringASCIICase(PropagationHeader.baggage): baggages.append(index)
        default: break
        }
    }
}
