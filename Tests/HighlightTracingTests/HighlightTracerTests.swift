import HighlightPropagation
@testable import HighlightTracing
import Instrumentation
import Synchronization
import Testing
import Tracing

@Suite("HighlightTracer")
struct HighlightTracerTests {
    static let inbound = [
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "tracestate": "congo=t61rcWkgMzE",
        "x-highlight-request": "sessionA/requestA",
    ]

    static func tracer(_ configuration: HighlightTracer.Configuration = .init()) -> (HighlightTracer, TelemetryQueue<HighlightSpan>) {
        let queue = TelemetryQueue<HighlightSpan>(capacity: 1000, batchSize: 1000) {}
        return (HighlightTracer(configuration: configuration, queue: queue), queue)
    }

    static func injected(_ context: ServiceContext, by tracer: HighlightTracer) -> [String: String] {
        var carrier: [String: String] = [:]
        context.inject(into: &carrier, using: DictionaryInjector(), instrument: tracer)
        return carrier
    }

    @Test func aSpanContinuesTheInboundTraceAndPropagatesItselfWithTheSession() throws {
        let (tracer, queue) = Self.tracer()
        let parent = ServiceContext.extract(from: Self.inbound, instrument: tracer)
        let span = tracer.startSpan("process orders", context: parent, ofKind: .consumer)
        let outbound = Self.injected(span.context, by: tracer)
        let traceParent = try #require(outbound["traceparent"])
        #expect(traceParent.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-"))
        #expect(!traceParent.contains("00f067aa0ba902b7"), "the span's own id is sent, not its parent's")
        #expect(traceParent.hasSuffix("-01"))
        #expect(outbound["tracestate"] == "congo=t61rcWkgMzE")
        #expect(outbound["x-highlight-request"] == "sessionA/requestA")
        span.end()

        let ended = queue.takeAll()
        #expect(ended.count == 1)
        let recorded = try #require(ended.first)
        #expect(recorded.parentSpanID == 0x00f0_67aa_0ba9_02b7)
        #expect("\(recorded.traceID)" == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(recorded.session?.sessionSecureID == "sessionA")
        #expect(recorded.session?.requestID == "requestA")
        #expect(recorded.kind == .consumer)
        #expect(recorded.ended?.operationName == "process orders")
        #expect(traceParent.contains("\(recorded.spanID)"))
    }

    /// Byte headers for the propagator's byte path, as a Kafka message holds them.
    struct ByteHeaders: PropagationByteSource {
        let headers: [(name: String, value: [UInt8])]
        var headerCount: Int { headers.count }
        func nameOfValuedHeader(at index: Int) -> String? { headers[index].name }
        func withValue(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
            headers[index].value.withUnsafeBufferPointer(body)
        }
    }

    /// The traced consumer starts its span from the extracted values without making their context: the span must be
    /// the one started in that context, its own ids apart.
    @Test(arguments: [HighlightTracerTests.inbound, [:]])
    func aSpanStartedFromExtractedValuesIsTheSpanStartedInTheirContext(headers: [String: String]) throws {
        let (tracer, queue) = Self.tracer()
        var memo = ByteExtractionMemo()
        let source = ByteHeaders(headers: headers.map { ($0.key, Array($0.value.utf8)) })
        let extracted = tracer.propagator.extractedValues(from: source, memo: &memo)
        let fromValues = tracer.startSpan("process orders", extracted: extracted, ofKind: .consumer)
        let inContext = tracer.startSpan("process orders", context: extracted.context, ofKind: .consumer)
        #expect(extracted.context.isEmpty == headers.isEmpty)
        #expect(fromValues.parentSpanID == inContext.parentSpanID)
        #expect(fromValues.parentSpanID == (headers.isEmpty ? 0 : 0x00f0_67aa_0ba9_02b7))
        if !headers.isEmpty { #expect(fromValues.traceID == inContext.traceID) }
        #expect(fromValues.flags == inContext.flags)
        #expect(fromValues.traceState == inContext.traceState)
        #expect(fromValues.session?.headerValue == inContext.session?.headerValue)
        var sent = Self.injected(fromValues.context, by: tracer)
        var expected = Self.injected(inContext.context, by: tracer)
        #expect(sent.removeValue(forKey: "traceparent") == "00-\(fromValues.traceID)-\(fromValues.spanID)-\(fromValues.flags)")
        #expect(expected.removeValue(forKey: "traceparent") != nil)
        #expect(sent == expected)
        fromValues.end()
        #expect(queue.takeAll().first?.ended?.operationName == "process orders")
    }

    /// A context the application keeps (a message stored, a task started) must keep its own span when the worker
    /// rebinds its reused storage to the next one; a span started in a non-empty context does not use the storage.
    @Test func contextsMadeInOneReusedStorageEachKeepTheirOwnSpan() throws {
        enum Tenant: ServiceContextKey { typealias Value = String }
        let (tracer, queue) = Self.tracer()
        var memo = ByteExtractionMemo()
        var reusable = ReusableSpanContext()
        let first = tracer.startSpan(
            "process", extracted: tracer.propagator.extractedValues(from: ByteHeaders(headers: Self.inbound.map { ($0.key, Array($0.value.utf8)) }), memo: &memo),
            ofKind: .consumer)
        let kept = first.context(reusing: &reusable)
        let second = tracer.startSpan(
            "process", extracted: tracer.propagator.extractedValues(from: ByteHeaders(headers: [("x-highlight-request", Array("sessionB/requestB".utf8))]), memo: &memo),
            ofKind: .consumer)
        let next = second.context(reusing: &reusable)
        #expect(kept.localSpan === first)
        #expect(next.localSpan === second)
        #expect(Self.injected(kept, by: tracer) == Self.injected(first.context, by: tracer))
        #expect(Self.injected(next, by: tracer) == Self.injected(second.context, by: tracer))
        #expect(Self.injected(kept, by: tracer)["x-highlight-request"] == "sessionA/requestA")
        #expect(Self.injected(next, by: tracer)["x-highlight-request"] == "sessionB/requestB")

        var parent = ServiceContext.topLevel
        parent[Tenant.self] = "acme"
        let inParent = tracer.startSpan("child", context: parent, ofKind: .internal)
        let inParentContext = inParent.context(reusing: &reusable)
        #expect(inParentContext[Tenant.self] == "acme")
        #expect(inParentContext.localSpan === inParent)
        let third = tracer.startSpan("process", extracted: tracer.propagator.extractedValues(from: ByteHeaders(headers: []), memo: &memo), ofKind: .consumer)
        let afterParent = third.context(reusing: &reusable)
        #expect(afterParent[Tenant.self] == nil, "the storage never held the other span's parent entries")
        #expect(afterParent.localSpan === third)
        #expect(next.localSpan === second)
        for span in [first, second, inParent, third] { span.end() }
        #expect(queue.takeAll().count == 4)
    }

    @Test func aContextKeepsItsSpanAndItsValuesTogetherThroughEveryChange() throws {
        let (tracer, queue) = Self.tracer()
        let span = tracer.startSpan("process", context: ServiceContext.extract(from: Self.inbound, instrument: tracer), ofKind: .consumer)
        let spanParent = try #require(Self.injected(span.context, by: tracer)["traceparent"])
        #expect(spanParent.contains("\(span.spanID)"))

        // A new session on a context holding the span: the span stays the parent, the session is the new one.
        var changed = span.context
        changed.highlightRequest = HighlightRequestContext(sessionSecureID: "sessionB", requestID: "requestB")
        var outbound = Self.injected(changed, by: tracer)
        #expect(outbound["traceparent"] == spanParent)
        #expect(outbound["x-highlight-request"] == "sessionB/requestB")
        #expect(outbound["tracestate"] == "congo=t61rcWkgMzE", "the span's tracestate")
        let child = tracer.startSpan("child", context: changed, ofKind: .internal)
        #expect(child.parentSpanID == span.identity.spanID)
        #expect(child.session?.sessionSecureID == "sessionB")

        // An extraction without a trace context keeps the span; one with a trace context makes the inbound trace the
        // parent.
        var sessionOnly = span.context
        tracer.extract(["x-highlight-request": "sessionC/requestC"], into: &sessionOnly, using: DictionaryExtractor())
        outbound = Self.injected(sessionOnly, by: tracer)
        #expect(outbound["traceparent"] == spanParent)
        #expect(outbound["x-highlight-request"] == "sessionC/requestC")
        var reparented = span.context
        let otherTrace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        tracer.extract(["traceparent": otherTrace], into: &reparented, using: DictionaryExtractor())
        outbound = Self.injected(reparented, by: tracer)
        #expect(outbound["traceparent"] == otherTrace)
        #expect(outbound["x-highlight-request"] == "sessionA/requestA", "the session is kept")
        #expect(reparented.localSpan == nil)

        // The parent context is untouched by all of it.
        #expect(Self.injected(span.context, by: tracer)["x-highlight-request"] == "sessionA/requestA")
        child.end()
        span.end()
        #expect(queue.takeAll().count == 2)
    }

    @Test func aRootSpanStartsARandomSampledTrace() throws {
        let (tracer, queue) = Self.tracer()
        let span = tracer.startSpan("root", context: .topLevel, ofKind: .internal)
        let traceParent = try #require(Self.injected(span.context, by: tracer)["traceparent"])
        #expect(traceParent.hasSuffix("-03"), "sampled and random-trace-id (W3C level 2): \(traceParent)")
        #expect(!traceParent.contains("00000000000000000000000000000000"))
        span.end()
        #expect(queue.takeAll().first?.parentSpanID == 0, "a root span has no parent")
    }

    @Test func anUnsampledSpanRecordsNothingAndStillPropagates() throws {
        let (tracer, queue) = Self.tracer(.init(sampler: .never))
        let parent = ServiceContext.extract(from: Self.inbound, instrument: tracer)
        let span = tracer.startSpan("skipped", context: parent, ofKind: .consumer)
        span.attributes["k"] = "v"
        span.addEvent(SpanEvent(name: "e"))
        #expect(!span.isRecording)
        #expect(span.attributes.isEmpty)
        let outbound = Self.injected(span.context, by: tracer)
        #expect(outbound["traceparent"]?.hasSuffix("-00") == true, "sampled flag off: \(outbound)")
        #expect(outbound["x-highlight-request"] == "sessionA/requestA")
        span.end()
        #expect(queue.count == 0)
    }

    /// A produced message's span records where the message landed as it ends, once: ending it again, or reporting a
    /// delivery for a span that has already ended, changes nothing and queues nothing more.
    @Test func aDeliveredSpanRecordsWhereItsMessageLandedAndEndsOnce() throws {
        let (tracer, queue) = Self.tracer()
        let endpoint = MessagingEndpoint(operationType: "send", destination: "orders", clientID: "c", serverAddress: nil)
        let delivered = tracer.startSpan("send orders", context: .topLevel, ofKind: .producer)
        delivered.setMessaging(endpoint: endpoint) { $0.bodySize = 3 }
        delivered.endDelivered(partition: 2, offset: 41)
        delivered.endDelivered(partition: 5, offset: 99)
        delivered.end()
        let ended = try #require(queue.takeAll().first { $0 === delivered }?.ended)
        #expect(ended.messaging?.partition == 2 && ended.messaging?.offset == 41 && ended.messaging?.bodySize == 3)

        let endedFirst = tracer.startSpan("send orders", context: .topLevel, ofKind: .producer)
        endedFirst.setMessaging(endpoint: endpoint) { _ in }
        endedFirst.end()
        endedFirst.endDelivered(partition: 7, offset: 1)
        let spans = queue.takeAll()
        #expect(spans.count == 1, "queued once")
        #expect(spans.first?.ended?.messaging?.partition == nil, "an ended span is left as it was")
    }

    @Test(arguments: [("01", true), ("00", false)])
    func parentBasedSamplingFollowsTheCaller(flags: String, sampled: Bool) {
        let (tracer, queue) = Self.tracer(.init(sampler: .parentBased(root: .never)))
        let parent = ServiceContext.extract(
            from: ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-\(flags)"], instrument: tracer
        )
        tracer.startSpan("child", context: parent, ofKind: .server).end()
        tracer.startSpan("root", context: .topLevel, ofKind: .server).end()
        #expect(queue.takeAll().map { $0.ended?.operationName } == (sampled ? ["child"] : []))
    }

    @Test func ratioSamplingKeepsTheShareAskedFor() {
        let ids = SpanIDGenerator(seed: 7, start: 0)
        let half = HighlightSampler.ratio(0.5)
        let kept = (0..<10_000).filter { _ in half.isSampled(traceIDLow: ids.next(), parentFlags: nil) }.count
        #expect((4_500...5_500).contains(kept), "\(kept) of 10,000")
        #expect(!HighlightSampler.ratio(0).isSampled(traceIDLow: ids.next(), parentFlags: nil))
        #expect(HighlightSampler.ratio(1).isSampled(traceIDLow: ids.next(), parentFlags: nil))
    }

    @Test func idsAreNonZeroAndDoNotRepeat() {
        let ids = SpanIDGenerator()
        var seen = Set<UInt64>()
        for _ in 0..<100_000 {
            let value = ids.next()
            #expect(value != 0)
            seen.insert(value)
        }
        #expect(seen.count == 100_000)
    }

    /// A link keeps the linked span's ids, not its context: a span linking its own context (which holds the span) is
    /// freed once exported. Keeping the context made a cycle LeakSanitizer reported.
    @Test func aSpanLinkingItsOwnContextIsFreedOnceExported() throws {
        let (tracer, queue) = Self.tracer()
        weak var released: HighlightSpan?
        var spanID: UInt64 = 0
        do {
            let span = tracer.startSpan("self-linked", context: .topLevel, ofKind: .internal)
            span.addLink(SpanLink(context: span.context, attributes: ["link.kind": "self"]))
            span.end()
            released = span
            spanID = span.identity.spanID
            let exported = queue.takeAll()
            #expect(exported.first?.ended?.links.first?.target?.spanID == spanID)
        }
        #expect(spanID != 0)
        #expect(released == nil, "the ended, exported span is still alive")
    }

    @Test func endingTwiceQueuesOnceAndLimitsCountWhatTheyDrop() throws {
        var limits = SpanLimits()
        limits.eventCount = 2
        limits.linkCount = 1
        let (tracer, queue) = Self.tracer(.init(limits: limits))
        let span = tracer.startSpan("limited", context: .topLevel, ofKind: .internal)
        for index in 0..<5 { span.addEvent(SpanEvent(name: "event \(index)")) }
        for _ in 0..<3 { span.addLink(SpanLink(context: span.context, attributes: [:])) }
        span.setStatus(SpanStatus(code: .ok))
        span.setStatus(SpanStatus(code: .error, message: "ignored: ok is final"))
        span.end()
        span.end()
        let ended = try #require(queue.takeAll().first?.ended)
        #expect(ended.events.map(\.name) == ["event 0", "event 1"])
        #expect(ended.droppedEvents == 3)
        #expect(ended.links.count == 1 && ended.droppedLinks == 2)
        #expect(ended.status?.code == .ok)
        #expect(queue.count == 0)
    }

    @Test func recordErrorAddsAnExceptionEventWithANonEmptyMessage() throws {
        struct Silent: Error, CustomStringConvertible { var description: String { "" } }
        let (tracer, queue) = Self.tracer()
        let span = tracer.startSpan("failing", context: .topLevel, ofKind: .internal)
        span.recordError(Silent())
        span.end()
        let event = try #require(queue.takeAll().first?.ended?.events.first)
        #expect(event.name == "exception")
        #expect(event.attributes["exception.type"]?.toSpanAttribute() == .string(String(reflecting: Silent.self)))
        #expect(event.attributes["exception.message"]?.toSpanAttribute() == .string(String(reflecting: Silent.self)))
    }

    @Test func forceFlushAsksTheExporter() {
        let asked = Atomic(0)
        let tracer = HighlightTracer(queue: nil) { asked.add(1, ordering: .relaxed) }
        tracer.forceFlush()
        #expect(asked.load(ordering: .relaxed) == 1)
    }
}

@Suite("TelemetryQueue")
struct TelemetryQueueTests {
    @Test func aFullQueueDropsAndCountsAndNeverWaits() {
        let queue = TelemetryQueue<Int>(capacity: 3, batchSize: 3) {}
        let accepted = (0..<5).map { queue.push($0) }
        #expect(accepted == [true, true, true, false, false])
        #expect(queue.takeDroppedCount() == 2)
        #expect(queue.takeDroppedCount() == 0, "the count starts again")
        #expect(queue.takeAll() == [0, 1, 2])
        #expect(queue.count == 0)
        #expect(queue.push(3))
    }

    /// An exporter passing the same array each time: the two storages trade places, none is allocated after the first
    /// take, and nothing taken before is taken again.
    @Test func takingIntoOneArrayTradesStoragesWithTheQueue() {
        let queue = TelemetryQueue<Int>(capacity: 100, batchSize: 8) {}
        var batch: [Int] = []
        queue.takeAll(into: &batch)
        #expect(batch.isEmpty)
        #expect(batch.capacity >= 8, "the first take gives the array room for a batch, which the queue gets next")
        for value in 0..<5 { queue.push(value) }
        queue.takeAll(into: &batch)
        #expect(batch == [0, 1, 2, 3, 4])
        let first = batch.withUnsafeBufferPointer { $0.baseAddress }
        for value in 5..<8 { queue.push(value) }
        queue.takeAll(into: &batch)
        #expect(batch == [5, 6, 7], "what the array held before is gone")
        let second = batch.withUnsafeBufferPointer { $0.baseAddress }
        for value in 8..<10 { queue.push(value) }
        queue.takeAll(into: &batch)
        #expect(batch == [8, 9])
        #expect(batch.withUnsafeBufferPointer { $0.baseAddress } == first, "the storage given back is used again")
        queue.takeAll(into: &batch)
        #expect(batch.isEmpty)
        #expect(batch.withUnsafeBufferPointer { $0.baseAddress } == second)
    }

    @Test func theExporterIsWokenOncePerBatchNotPerElement() {
        let wakeups = Atomic(0)
        let queue = TelemetryQueue<Int>(capacity: 100, batchSize: 10) { wakeups.add(1, ordering: .relaxed) }
        for value in 0..<25 { queue.push(value) }
        #expect(wakeups.load(ordering: .relaxed) == 1)
        _ = queue.takeAll()
        for value in 0..<10 { queue.push(value) }
        #expect(wakeups.load(ordering: .relaxed) == 2)
    }
}
