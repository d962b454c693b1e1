package import Instrumentation

/// The contexts of spans that one owner runs one after another (a consumer's partition worker), made in one storage
/// that is rebound in place for each span.
///
/// A span's context is a copy of its parent's with this package's slot written: a new dictionary storage per span (an
/// allocation, the parent's entries copied, a free later on whatever thread lets the last copy go). A span started in
/// an empty context (a consumed message's, see `HighlightTracer.startSpan(_:extracted:ofKind:)`) has a context of
/// one entry, its slot; this keeps that context and writes the next span's slot into it. The write is in place when
/// nothing else holds the storage any more (the last handler's task-local binding and message are gone), and a copy
/// on write otherwise: a context the application kept (a task it started, a message it stored) keeps its own span.
/// Value semantics are `ServiceContext`'s own; this only saves the allocation when nobody would see it.
///
/// Not `Sendable`: one owner, one span at a time. It keeps the last span it bound until the next one replaces it.
package struct ReusableSpanContext {
    private var context = ServiceContext.topLevel

    package init() {}

    /// The context of `span`, which was started in an empty context: its parent values and itself, as
    /// `ServiceContext.bind(startedIn:)` writes them.
    ///
    /// - Parameter span: the span, started in an empty context (not checked here: the caller knows it).
    /// - Returns: the span's context; equal to the one a copy of an empty context would give.
    package mutating func context(ofSpanStartedInEmptyContext span: any LocalSpan) -> ServiceContext {
        context.bind(startedIn: span)
        return context
    }
}
