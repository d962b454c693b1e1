import HighlightPropagation
import HighlightTracing
import Tracing

/// `ExportTraceServiceRequest` for ended ``HighlightSpan``s: one resource, one scope.
///
/// Field numbers are those of opentelemetry-proto's `trace/v1/trace.proto`; a test decodes the output with the
/// official definitions.
struct OTLPTraceDocument {
    let resource: OTLPResource
    let limits: SpanLimits

    /// The request body for those of `spans` that have ended (a span that has not is left out), each read in place.
    func encode<Encoding: OTLPEncoding, Spans: Collection<HighlightSpan>>(_ spans: Spans, as _: Encoding.Type) -> [UInt8] {
        // About 400 bytes a span in protobuf with the messaging attributes, twice that in JSON.
        var writer = Encoding(capacity: 1024 + spans.count * 512)
        // Lengths foreseen: a batch's body in 3 bytes (16 KB to 2 MB), each span's in 2 (128 bytes to 16 KB).
        writer.one(1, "resourceSpans", lengthBytes: 3) { resourceSpans in
            resource.writeResource(into: &resourceSpans)
            resourceSpans.one(2, "scopeSpans", lengthBytes: 3) { scopeSpans in
                resource.writeScope(into: &scopeSpans)
                // Static, given the limits alone: a closure calling a method captured `self`, and copied its resource
                // (six references retained and released) for every span.
                let limits = self.limits
                // The endpoint attributes of this body's spans, encoded once per client and topic.
                var shared = SharedEncodings()
                scopeSpans.repeated(2, "spans", lengthBytes: 2) { element in
                    for span in spans {
                        span.withEnded { recorded, end in
                            element { Self.write(span, recorded, end: end, limits: limits, shared: &shared, into: &$0) }
                        }
                    }
                }
            }
        }
        return writer.finish()
    }

    private static func write<Writer: OTLPWriter>(
        _ span: HighlightSpan,
        _ ended: HighlightSpan.State,
        end: UInt64,
        limits: SpanLimits,
        shared: inout SharedEncodings,
        into writer: inout Writer
    ) {
        let identity = span.identity
        Self.writeIDs(identity, into: &writer)
        writer.string(3, "traceState", identity.traceState ?? "")
        if span.parentSpanID != 0 { withUnsafeBytes(of: span.parentSpanID.bigEndian) { writer.id(4, "parentSpanId", $0) } }
        writer.string(5, "name", ended.operationName)
        writer.enumeration(6, "kind", Self.kind(span.kind))
        writer.fixed64(7, "startTimeUnixNano", span.startNanoseconds)
        writer.fixed64(8, "endTimeUnixNano", end)

        // Attributes: the span's own, then the typed messaging fields and the session, each unless the span set an
        // attribute of that name. Without attributes of its own (every Kafka span), the typed ones are written as
        // they are made (the endpoint's and the session's, alike for many spans, encoded once per body: reading the
        // session retained and released its string, which the consuming threads share, twice a span); otherwise one
        // list per span, written straight to the wire: no dictionary is built here.
        /// One typed attribute as an element of the list.
        func attribute(_ key: String, _ value: TypedAttributes.Value, _ element: (_ content: (inout Writer) -> Void) -> Void) {
            element { OTLPAttributes.keyValue(key, into: &$0) { value.write(into: &$0) } }
        }
        if ended.attributes.isEmpty && limits.attributeCount >= TypedAttributes.maximumCount {
            let keys = SharedEncodings.Keys(
                first: TypedAttributes.sharedKey(messaging: ended.messaging),
                // The values are immutable: one box, one session.
                second: span.parentValues.map(ObjectIdentifier.init)
            )
            writer.repeated(
                9, "attributes", sharing: keys, in: &shared,
                shared: { run, element in
                    let write = { (key: String, value: TypedAttributes.Value) in attribute(key, value, element) }
                    if run == 0 { TypedAttributes.forEachShared(messaging: ended.messaging, write) }
                    else { TypedAttributes.forEachSession(span.session, write) }
                },
                producedBy: { element in
                    TypedAttributes.forEachOwn(messaging: ended.messaging) { key, value in attribute(key, value, element) }
                }
            )
            writer.uint32(10, "droppedAttributesCount", 0)
        } else {
            var attributes = AttributeList(ended.attributes, limit: limits.attributeCount)
            TypedAttributes.forEach(messaging: ended.messaging, session: span.session) { key, value in attributes.add(key, value.spanAttribute) }
            attributes.write(9, into: &writer)
            writer.uint32(10, "droppedAttributesCount", UInt32(clamping: attributes.dropped))
        }

        writer.repeated(11, "events", ended.events) { event, element in
            event.fixed64(1, "timeUnixNano", element.nanosecondsSinceEpoch)
            event.string(2, "name", element.name)
            let dropped = writeAttributes(element.attributes, field: 3, limit: limits.attributePerEventCount, into: &event)
            event.uint32(4, "droppedAttributesCount", UInt32(clamping: dropped))
        }
        writer.uint32(12, "droppedEventsCount", UInt32(clamping: ended.droppedEvents))

        let links = ended.links.compactMap { link in link.target.map { (link, $0) } }
        writer.repeated(13, "links", links) { writer, element in
            let (link, target) = element
            Self.writeIDs(target, into: &writer)
            writer.string(3, "traceState", target.traceState ?? "")
            let dropped = writeAttributes(link.attributes, field: 4, limit: limits.attributePerEventCount, into: &writer)
            writer.uint32(5, "droppedAttributesCount", UInt32(clamping: dropped))
            writer.fixed32(6, "flags", UInt32(target.flags))
        }
        writer.uint32(14, "droppedLinksCount", UInt32(clamping: ended.droppedLinks + ended.links.count - links.count))

        if let status = ended.status {
            writer.message(15, "status") { writer in
                writer.string(2, "message", status.message ?? "")
                writer.enumeration(3, "code", status.code == .ok ? 1 : 2)
            }
        }
        writer.fixed32(16, "flags", UInt32(identity.flags))
    }

    /// `trace_id = 1` (16 bytes) and `span_id = 2` (8 bytes), big-endian as W3C writes them.
    private static func writeIDs<Writer: OTLPWriter>(_ identity: SpanIdentity, into writer: inout Writer) {
        withUnsafeBytes(of: (identity.traceIDHigh.bigEndian, identity.traceIDLow.bigEndian)) { writer.id(1, "traceId", $0) }
        withUnsafeBytes(of: identity.spanID.bigEndian) { writer.id(2, "spanId", $0) }
    }

    /// Writes up to `limit` of `attributes` and returns how many were left out.
    private static func writeAttributes<Writer: OTLPWriter>(_ attributes: SpanAttributes, field: Int, limit: Int, into writer: inout Writer) -> Int {
        let list = AttributeList(attributes, limit: limit)
        list.write(field, into: &writer)
        return list.dropped
    }

    /// `Span.SpanKind`: INTERNAL 1, SERVER 2, CLIENT 3, PRODUCER 4, CONSUMER 5.
    static func kind(_ kind: SpanKind) -> Int {
        switch kind {
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        default: 1
        }
    }
}

/// The attributes a span is exported with: its own (in key order past the limit, so the same span always keeps the
/// same ones), then those of its typed fields (``TypedAttributes``), each unless the span set an attribute of that
/// name. Past the span's attribute limit they are dropped and counted.
struct AttributeList {
    private let own: SpanAttributes
    private let limit: Int
    private(set) var entries: [(key: String, value: SpanAttribute)] = []
    private(set) var dropped = 0

    init(_ own: SpanAttributes, limit: Int) {
        self.own = own
        self.limit = limit
        entries.reserveCapacity(min(limit, own.count + 14))
        own.forEach { entries.append(($0, $1)) }
        if entries.count > limit {
            entries.sort { $0.key < $1.key }
            dropped = entries.count - limit
            entries.removeSubrange(limit...)
        }
    }

    /// The list as a repeated `KeyValue` field.
    func write<Writer: OTLPWriter>(_ field: Int, into writer: inout Writer) {
        writer.repeated(field, "attributes", entries) { keyValue, entry in
            OTLPAttributes.keyValue(entry.key, into: &keyValue) { OTLPAttributes.write(entry.value, into: &$0) }
        }
    }

    mutating func add(_ key: String, _ value: SpanAttribute?) {
        guard let value, own.isEmpty || own[key] == nil else { return }
        guard entries.count < limit else {
            dropped += 1
            return
        }
        entries.append((key, value))
    }
}
