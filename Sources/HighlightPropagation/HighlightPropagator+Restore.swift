public import Instrumentation
import Logging

/// The session and baggage a carrier's `x-highlight-request` and `baggage` values resolve to, with what was refused
/// on the way. It depends on nothing else a carrier holds (the trace context is apart), so a reader can keep it for
/// the next carrier sending the same values (``ByteExtractionMemo``).
@usableFromInline
struct InboundSession {
    var request: HighlightRequestContext?
    /// A baggage kept as received (its text is forwarded as it is).
    var forwardedBaggage: ForwardedBaggage?
    /// A baggage parsed into members (several headers, a refused session mirror, or a value past the fast check).
    var baggage: W3CBaggage?
    var rejections: [PropagationRejection] = []

    /// Nothing resolved, nothing refused.
    @usableFromInline
    init() {}
}

extension HighlightPropagator {
    /// Resolves the session and baggage of a carrier by the rules in the type's documentation. With ``restore(into:session:forwarded:)``,
    /// the one place the extraction rules live, for both carrier kinds.
    ///
    /// - Parameters:
    ///   - requestValue: the last `x-highlight-request` value.
    ///   - baggageValues: every `baggage` value, in carrier order.
    @usableFromInline
    func resolveSession(request requestValue: String?, baggage baggageValues: InboundValues) -> InboundSession {
        var session = InboundSession()
        if let requestValue {
            do {
                session.request = try HighlightRequestContext.parse(requestValue, maximumLength: configuration.limits.maximumHighlightRequestBytes)
            } catch {
                session.rejections.append(error)
            }
        }

        // A baggage already in the form it is written in is kept as text; its session mirror needs a look only when
        // it differs from the header (then the members are parsed and the rules below apply).
        switch baggageValues {
        case .none:
            break
        case .one(let value):
            if let kept = ForwardedBaggage(validating: value, limits: configuration.limits) {
                if kept.mirror == nil || session.request.map({ kept.mirrorValue(equals: $0.headerValue) }) == true {
                    session.forwardedBaggage = kept
                } else {
                    session.baggage = kept.baggage
                }
            } else {
                let parsed = W3CBaggage.parse(CollectionOfOne(value), limits: configuration.limits)
                session.baggage = parsed.baggage
                session.rejections += parsed.rejections
            }
        case .many(let values):
            let parsed = W3CBaggage.parse(values, limits: configuration.limits)
            session.baggage = parsed.baggage
            session.rejections += parsed.rejections
        }
        // The baggage may hold the session when the header does not.
        if let mirrored = session.baggage?.value(forNameIgnoringCase: HighlightRequestContext.headerName),
           mirrored != session.request?.headerValue  // the mirror of the header itself holds nothing new
        {
            do {
                let fromBaggage = try HighlightRequestContext.parse(
                    mirrored,
                    maximumLength: configuration.limits.maximumHighlightRequestBytes
                )
                if session.request == nil { session.request = fromBaggage }
            } catch {
                // A refused value is never copied onward, not even inside the baggage it came in.
                session.baggage?.removeMembers(namedIgnoringCase: HighlightRequestContext.headerName)
                session.rejections.append(error)
            }
        }
        return session
    }

    /// Stores a resolved session and baggage, and the parsed trace context, into `context` with one write, and counts
    /// the extraction and every refusal (each time: a kept ``InboundSession`` counts its refusals again).
    @usableFromInline
    func restore(
        into context: inout ServiceContext,
        session: InboundSession,
        forwarded parsedTraceContext: (context: ForwardedTraceContext?, rejections: [PropagationRejection])?
    ) {
        let forwarded = parsedTraceContext?.context
        // One write for all three (what an earlier instrument stored for a value that is absent here is kept).
        if Self.restoresAnything(session, forwarded) {
            // An empty context (what every extraction starts from) is not looked up: nothing to keep, no span.
            let slot = context.slot
            let values = Self.merged(slot?.values?.values ?? PropagatedValues(), session, forwarded)
            // An inbound trace is now the parent: a span of this process's tracer no longer is.
            context.slot = ContextSlot(values: PropagatedValuesBox(values), span: forwarded == nil ? slot?.span : nil)
        }
        count(session, parsedTraceContext)
    }

    /// What ``restore(into:session:forwarded:)`` stores into an empty context, in its two parts (see
    /// ``ExtractedValues``). Counted the same way. When `kept`, the session is the one `memo` keeps (`session` is `nil`
    /// when the memo already held it), and its values are the memo's: made once for every carrier sending that session.
    @usableFromInline
    func extractedValues(
        session: InboundSession?,
        forwarded parsedTraceContext: (context: ForwardedTraceContext?, rejections: [PropagationRejection])?,
        memo: inout ByteExtractionMemo,
        kept: Bool
    ) -> ExtractedValues {
        guard let session else {
            // A hit: the session is the memo's, read there.
            let values = memo.keptValues(count: { count($0, parsedTraceContext) }, make: Self.sessionValues)
            return ExtractedValues(session: values, forwarded: Self.context(of: parsedTraceContext))
        }
        count(session, parsedTraceContext)
        let values = kept ? memo.sessionValues { Self.sessionValues(session) } : Self.sessionValues(session)
        return ExtractedValues(session: values, forwarded: Self.context(of: parsedTraceContext))
    }

    /// The session and baggage `session` restores; `nil` when it restores neither.
    private static func sessionValues(_ session: InboundSession) -> PropagatedValuesBox? {
        guard restoresAnything(session, nil) else { return nil }
        return PropagatedValuesBox(merged(PropagatedValues(), session, nil))
    }

    private static func restoresAnything(_ session: InboundSession, _ forwarded: ForwardedTraceContext?) -> Bool {
        session.request != nil || forwarded != nil || session.forwardedBaggage != nil || session.baggage?.isEmpty == false
    }

    /// `values` with what the carrier sent in place of what it held.
    private static func merged(_ values: PropagatedValues, _ session: InboundSession, _ forwarded: ForwardedTraceContext?) -> PropagatedValues {
        var values = values
        if let request = session.request { values.request = request }
        if let forwardedBaggage = session.forwardedBaggage {
            values.baggageStorage = .forwarded(forwardedBaggage)
        } else if let baggage = session.baggage, !baggage.isEmpty {
            values.baggage = baggage
        }
        if let forwarded { values.forwarded = forwarded }
        return values
    }

    /// Counts the extraction and every refusal.
    /// The parsed trace context, read out of the pair with a `switch`: `parsedTraceContext?.context` copied the whole
    /// pair through the runtime's generic tuple copy first.
    private static func context(of parsed: (context: ForwardedTraceContext?, rejections: [PropagationRejection])?) -> ForwardedTraceContext? {
        switch parsed {
        case .some(let parsed): parsed.context
        case .none: nil
        }
    }

    private func count(_ session: InboundSession, _ parsedTraceContext: (context: ForwardedTraceContext?, rejections: [PropagationRejection])?) {
        statistics.recordExtraction(restoredHighlightRequest: session.request != nil)
        session.rejections.forEach(record)
        parsedTraceContext?.rejections.forEach(record)
    }

    private func record(_ rejection: PropagationRejection) {
        statistics.record(rejection)
        configuration.logger.debug(
            "Refused a propagated value; it is treated as absent",
            metadata: ["field": "\(rejection.field.rawValue)", "reason": "\(rejection.reason.rawValue)"]
        )
    }
}
