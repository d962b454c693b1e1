public import HighlightPropagation
public import Instrumentation
import HighlightSynchronization
public import Tracing
package import W3CTraceContext
import Synchronization

/// A span of ``HighlightTracer``. Its ids, kind, start and session are fixed at start; what changes (name,
/// attributes, events, links, status, end) is kept under a lock of its own. Ending it queues it for export, without
/// waiting and without a task hop; an unsampled span records nothing and queues nothing, but its ``context`` still
/// carries its ids to the next service.
public final class HighlightSpan: HighlightSessionRecordingSpan, LocalSpan {
    /// What a span records while it runs; the exporter reads it in place once the span has ended (``withEnded(_:)``).
    package struct State {
        package internal(set) var operationName: String
        /// Empty through `init(_:)`: `SpanAttributes()` is the dictionary literal's initializer, which builds the empty
        /// dictionary element by element from a variadic array (a call into the standard library's merge per span).
        package internal(set) var attributes = SpanAttributes([:])
        package internal(set) var events: [SpanEvent] = []
        package internal(set) var droppedEvents = 0
        package internal(set) var links: [Link] = []
        package internal(set) var droppedLinks = 0
        package internal(set) var status: SpanStatus?
        package internal(set) var messaging: MessagingFields?
        package internal(set) var endNanoseconds: UInt64?
    }

    /// A link as it is kept: the linked span's ids (`nil` when its context had none) and the link's attributes. Not the
    /// linked context itself, which may hold a live span (this one, when a span links its own context): keeping it
    /// would keep that span, and a span linking itself would never be freed.
    package struct Link {
        package var target: SpanIdentity?
        package var attributes: SpanAttributes
    }

    /// A span's recorded data once it has ended, as the exporter reads it.
    package struct Ended {
        package var operationName: String
        package var attributes: SpanAttributes
        package var events: [SpanEvent]
        package var droppedEvents: Int
        package var links: [Link]
        package var droppedLinks: Int
        package var status: SpanStatus?
        package var messaging: MessagingFields?
        package var endNanoseconds: UInt64
    }

    /// The span's ids, flags and `tracestate`, as they propagate.
    package let identity: SpanIdentity
    /// The parent's span id; 0 for a root span.
    package let parentSpanID: UInt64
    package let kind: SpanKind
    /// When the span started; 0 for a span that is not recorded.
    package let startNanoseconds: UInt64
    /// The propagated values of the context the span started in (its session, baggage and inbound trace context).
    package let parentValues: PropagatedValuesBox?
    private let parentContext: ServiceContext
    /// Where the span goes when it ends; `nil` for a span that is not recorded.
    private let pipeline: HighlightTracer.Pipeline?
    private let state: Locked<State>

    init(
        operationName: String,
        kind: SpanKind,
        parentContext: ServiceContext,
        identity: SpanIdentity,
        parentSpanID: UInt64,
        startNanoseconds: UInt64,
        parentValues: PropagatedValuesBox?,
        pipeline: HighlightTracer.Pipeline?
    ) {
        self.identity = identity
        self.parentSpanID = parentSpanID
        self.kind = kind
        self.startNanoseconds = startNanoseconds
        self.parentValues = parentValues
        self.parentContext = parentContext
        self.pipeline = pipeline
        self.state = Locked(State(operationName: operationName))
    }

    package var traceID: TraceID { identity.traceID }
    package var spanID: SpanID { identity.spanIDValue }
    package var flags: TraceFlags { TraceFlags(rawValue: identity.flags) }
    package var traceState: String? { identity.traceState }
    /// The session of the context the span started in: exported as `highlight.session_id` and `highlight.trace_id`.
    package var session: HighlightRequestContext? { parentValues?.request }

    /// The context of the work inside this span: the parent's session and baggage, and this span as the trace
    /// parent of what is propagated from here.
    ///
    /// Made on each read, not kept: the context holds the span, and a span holding its context would be a cycle.
    /// One read per span is the common case (`withSpan` binds it once); each read costs one copy of the parent's
    /// context storage.
    public var context: ServiceContext {
        var context = parentContext
        context.bind(startedIn: self)
        return context
    }

    /// ``context``, made in `reusable` when the span started in an empty context (a consumed message's span; see
    /// ``ReusableSpanContext``), and as a new copy otherwise.
    ///
    /// - Parameter reusable: the owner's context storage, rebound to this span when it fits.
    /// - Returns: the span's context.
    package func context(reusing reusable: inout ReusableSpanContext) -> ServiceContext {
        parentContext.isEmpty ? reusable.context(ofSpanStartedInEmptyContext: self) : context
    }

    /// The span's name; setting it renames the span until it ends.
    public var operationName: String {
        get { state.withLock { $0.operationName } }
        set { if pipeline != nil { state.withLock { $0.operationName = newValue } } }
    }

    /// The span's attributes; prefer ``updateAttributes(_:)`` for several changes.
    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { if pipeline != nil { state.withLock { $0.attributes = newValue } } }
    }

    /// Changes the attributes in place, without the copy that a get and a set make.
    ///
    /// - Parameter update: changes the attributes.
    public func updateAttributes(_ update: (inout SpanAttributes) -> Void) {
        guard pipeline != nil else { return }
        state.withLock { state in
            // Room for a few at once: growing from empty one key at a time allocates at the first and again at the
            // second key.
            if state.attributes.isEmpty { state.attributes = SpanAttributes(Dictionary(minimumCapacity: 4)) }
            update(&state.attributes)
        }
    }

    /// Whether the span was sampled: an unsampled span records nothing and is not exported.
    public var isRecording: Bool { pipeline != nil }

    /// Sets the messaging attributes as typed fields (see ``MessagingFields``).
    package func setMessaging(_ fields: consuming MessagingFields) {
        guard pipeline != nil else { return }
        // Moved in: captured as it is, the fields were copied into the state (two retains and releases per span).
        var pending = Optional(consume fields)
        state.withLock { $0.messaging = pending.take() }
    }

    /// Sets the messaging attributes, made in place in the span's state: `fill` sets the fields beyond the endpoint.
    /// A value made outside and passed in was copied on its way in (the endpoint and key retained and released once
    /// more per message).
    ///
    /// - Parameters:
    ///   - endpoint: the operation, topic, client, server and group.
    ///   - fill: sets the message's fields; it must not call back into this span.
    package func setMessaging(endpoint: MessagingEndpoint, _ fill: (inout MessagingFields) -> Void) {
        guard pipeline != nil else { return }
        state.withLock { state in
            state.messaging = MessagingFields(endpoint: endpoint)
            fill(&state.messaging!)
        }
    }

    /// Records where a produced message landed and ends the span, in one turn of its lock (recording it, then ending,
    /// took two, on the thread that serves delivery reports while the sending thread starts the next spans); a span
    /// that has already ended is left as it was.
    package func endDelivered(partition: Int32, offset: Int64) {
        guard pipeline != nil else { return }
        finish(at: DefaultTracerClock.now.nanosecondsSinceEpoch) { state in
            state.messaging?.partition = partition
            state.messaging?.offset = offset
        }
    }

    /// Sets the span's status; an `ok` status is not replaced by a later `error` (OpenTelemetry's rule).
    ///
    /// - Parameter status: the status.
    public func setStatus(_ status: SpanStatus) {
        guard pipeline != nil else { return }
        state.withLock { state in
            // OpenTelemetry: an `ok` status is final; `unset` changes nothing.
            if state.status?.code == .ok { return }
            state.status = status
        }
    }

    /// Adds an event, within ``SpanLimits/eventCount``; past it the event is dropped and counted.
    ///
    /// - Parameter event: the event.
    public func addEvent(_ event: SpanEvent) {
        guard let pipeline else { return }
        state.withLock { Self.append(event, to: &$0.events, dropped: &$0.droppedEvents, limit: pipeline.limits.eventCount) }
    }

    /// Adds an `exception` event with `exception.type` and a non-empty `exception.message`, as OpenTelemetry's
    /// conventions and highlight's backend read them.
    ///
    /// - Parameters:
    ///   - error: the error; its type and description are recorded.
    ///   - attributes: extra attributes of the event.
    ///   - instant: when it happened.
    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        guard pipeline != nil else { return }
        var eventAttributes = attributes
        let type = String(reflecting: Swift.type(of: error))
        let message = String(describing: error)
        eventAttributes["exception.type"] = type
        eventAttributes["exception.message"] = message.isEmpty ? type : message
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: eventAttributes))
    }

    /// Adds a link to another span's context, within ``SpanLimits/linkCount``; past it the link is dropped and counted.
    ///
    /// - Parameter link: the link.
    public func addLink(_ link: SpanLink) {
        guard let pipeline else { return }
        let kept = Link(target: link.context.traceParent, attributes: link.attributes)
        state.withLock { Self.append(kept, to: &$0.links, dropped: &$0.droppedLinks, limit: pipeline.limits.linkCount) }
    }

    /// Appends within `limit`; past it, counts the drop.
    private static func append<Element>(_ element: Element, to list: inout [Element], dropped: inout Int, limit: Int) {
        if list.count < limit {
            list.append(element)
        } else {
            dropped += 1
        }
    }

    /// Ends the span and queues it for export; a second call does nothing.
    ///
    /// - Parameter instant: when the span ended.
    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        // Checked first: an unsampled span skips the clock.
        guard pipeline != nil else { return }
        finish(at: instant().nanosecondsSinceEpoch) { _ in }
    }

    /// Records the end, and what `record` sets, under one turn of the lock, then queues the span; a span that has
    /// already ended is left as it was.
    private func finish(at end: UInt64, recording record: (inout State) -> Void) {
        guard let pipeline else { return }
        let first = state.withLock { state in
            guard state.endNanoseconds == nil else { return false }
            record(&state)
            state.endNanoseconds = end
            return true
        }
        if first { pipeline.queue.push(self) }
    }

    /// What the span recorded; `nil` until it has ended. A copy: the exporter reads it in place with ``withEnded(_:)``.
    package var ended: Ended? {
        var ended: Ended?
        withEnded { state, end in
            ended = Ended(
                operationName: state.operationName, attributes: state.attributes, events: state.events,
                droppedEvents: state.droppedEvents, links: state.links, droppedLinks: state.droppedLinks,
                status: state.status, messaging: state.messaging, endNanoseconds: end
            )
        }
        return ended
    }

    /// Runs `body` with what the span recorded and when it ended, in place under the span's lock (copying it, about
    /// ten references retained and released, was a tenth of the exporter's encoding time); does nothing for a span
    /// that has not ended.
    ///
    /// - Parameter body: reads the recorded data; it must not call back into this span.
    package func withEnded(_ body: (_ recorded: State, _ endNanoseconds: UInt64) -> Void) {
        state.withLock { state in
            guard let end = state.endNanoseconds else { return }
            body(state, end)
        }
    }
}
