public import Instrumentation

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
        // A `switch` reads the shared value in place: an `if case` pattern copied it (a retain and a release per
        // header).
        switch value {
        case .shared(let shared):
            if let bytes = shared.bytes { return sink.set(name, sharedBytes: bytes) }
            value.withUTF8 { sink.set(name, bytes: $0) }
        case .text, .traceParent:
            value.withUTF8 { sink.set(name, bytes: $0) }
        }
    }

    /// ``extract(_:into:using:)`` for a carrier that stores bytes (Kafka headers): the same values under the same
    /// rules. Names are matched in one pass; `traceparent` is parsed from its bytes; the values kept (session,
    /// `tracestate`, `baggage`) become one `String` each, decoded as the `String` path decodes them (an invalid
    /// UTF-8 byte becomes U+FFFD, which the rules then refuse).
    ///
    /// Inlinable, as the rest of the byte path's reading: it is specialised for the carrier in the module that
    /// calls it (see ``readBytes(from:memo:)``).
    @inlinable
    package func extractBytes<Source: PropagationByteSource>(from source: Source, into context: inout ServiceContext) {
        var memo = ByteExtractionMemo.none
        extractBytes(from: source, into: &context, memo: &memo)
    }

    /// ``extractBytes(from:into:)`` for one reader of many carriers: the session and baggage are taken from `memo`
    /// when this carrier sends the bytes it kept, and kept there otherwise.
    @inlinable
    package func extractBytes<Source: PropagationByteSource>(from source: Source, into context: inout ServiceContext, memo: inout ByteExtractionMemo) {
        let (session, forwarded, _) = readBytes(from: source, memo: &memo)
        // A hit leaves the session in the memo; this path copies it (it merges it into a context anyway).
        restore(into: &context, session: session ?? memo.session ?? InboundSession(), forwarded: forwarded)
    }

    /// What ``extractBytes(from:into:memo:)`` would store into an empty context, without making the context (see
    /// ``ExtractedValues``). Counted and refused as that extraction is.
    @inlinable
    package func extractedValues<Source: PropagationByteSource>(from source: Source, memo: inout ByteExtractionMemo) -> ExtractedValues {
        let (session, forwarded, kept) = readBytes(from: source, memo: &memo)
        return extractedValues(session: session, forwarded: forwarded, memo: &memo, kept: kept)
    }

    /// The session, baggage and trace context a byte carrier sends, by the rules of ``extract(_:into:using:)``, and
    /// whether the session is the one `memo` keeps now.
    ///
    /// Only what touches the carrier is here, inlinable so that it is specialised for the carrier where it is
    /// called: unspecialised, every header read went through the carrier's metadata and witness table, and the
    /// carrier's own code ran unspecialised too (the consumer's largest cost per message). The rules themselves
    /// (``resolveSession(request:baggage:)``, the `traceparent` parser, ``FoundHeaders/note(_:at:)``) are ordinary
    /// calls.
    @inlinable
    func readBytes<Source: PropagationByteSource>(
        from source: Source, memo: inout ByteExtractionMemo
    ) -> (InboundSession?, (context: ForwardedTraceContext?, rejections: [PropagationRejection])?, kept: Bool) {
        var found = FoundHeaders()
        for index in 0..<source.headerCount {
            if let name = source.nameOfValuedHeader(at: index) { found.note(name, at: index) }
        }

        var forwarded: (context: ForwardedTraceContext?, rejections: [PropagationRejection])?
        if forwardsTraceContext, let traceParent = found.traceParent {
            let traceState: Result<String?, PropagationRejection> = switch found.traceStates {
            case .none: .success(nil)
            case .one(let index): memo.traceState(at: index, in: source)
            case .many(let all): Self.normalizing(all.map { Self.text(at: $0, in: source) }.joined(separator: ","))
            }
            source.withValue(at: traceParent) { forwarded = Self.parseForwarding(traceParent: $0, normalizedTraceState: traceState) }
        }

        // Several baggage headers are never kept (see ByteExtractionMemo).
        // `nil` for a hit: the session stays in the memo, read there in place (a copy was four retains and four
        // releases per message, nearly every message of a consumer).
        let session: InboundSession?
        let kept: Bool
        let baggage: Int? = if case .one(let index) = found.baggages { index } else { nil }
        let keepable = if case .many = found.baggages { false } else { true }
        let limits = self.limits
        if keepable, memo.holds(request: found.request, baggage: baggage, in: source, limits: limits) {
            session = nil
            kept = true
        } else {
            let resolved = resolveSession(request: found.request.map { Self.text(at: $0, in: source) }, baggage: Self.values(found.baggages, in: source))
            session = resolved
            kept = keepable && memo.keep(resolved, request: found.request, baggage: baggage, in: source, limits: limits)
        }
        return (session, forwarded, kept)
    }

    /// The value at `index`, decoded as the `String` path decodes it.
    @inlinable
    static func text<Source: PropagationByteSource>(at index: Int, in source: Source) -> String {
        var text = ""
        source.withValue(at: index) { text = decoded($0) }
        return text
    }

    @inlinable
    static func values<Source: PropagationByteSource>(_ indices: FoundHeaders.Indices, in source: Source) -> InboundValues {
        switch indices {
        case .none: .none
        case .one(let index): .one(text(at: index, in: source))
        case .many(let all): .many(all.map { text(at: $0, in: source) })
        }
    }

    /// Invalid UTF-8 becomes U+FFFD, as in a `String` carrier.
    @usableFromInline
    static func decoded(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    @usableFromInline
    static func parseForwarding(
        traceParent: UnsafeBufferPointer<UInt8>, normalizedTraceState: Result<String?, PropagationRejection>
    ) -> (context: ForwardedTraceContext?, rejections: [PropagationRejection]) {
        W3CTraceContextParser.parseForwarding(traceParentBytes: traceParent, normalizedTraceState: normalizedTraceState)
    }

    @usableFromInline
    static func normalizing(_ traceState: String) -> Result<String?, PropagationRejection> {
        W3CTraceContextParser.normalizing(traceState)
    }

    @usableFromInline
    var forwardsTraceContext: Bool { configuration.forwardTraceContext }

    @usableFromInline
    var limits: PropagationLimits { configuration.limits }
}
