import Instrumentation

/// What this package keeps in a `ServiceContext`, under one key: the propagated values (session, baggage, inbound
/// trace context) and the active span of this package's tracer.
///
/// One key, not one each: every access through `ServiceContext`'s generic subscript hashes its key, casts the value
/// and resolves type metadata at run time, and a context is copied whenever a span is bound to it. With one key, a
/// tracer starting a span reads its parent and session with one lookup, an injection reads everything with one, and
/// binding a span replaces the slot in a copy of the same size instead of growing the copy and rehashing every key.
///
/// A struct of three words: it fits the inline buffer of the context's existential value (no box is allocated), and
/// reading it back is a cast to a concrete type (no protocol conformance is looked up).
struct ContextSlot: Sendable {
    /// The propagated values; `nil` when the context has none.
    var values: PropagatedValuesBox?
    /// The active span of this package's tracer; `nil` when none is.
    var span: (any LocalSpan)?
}

enum ContextSlotKey: ServiceContextKey {
    typealias Value = ContextSlot
    static var nameOverride: String? { "highlight" }
}

extension ServiceContext {
    /// This package's slot; `nil` when nothing of this package is in the context. An empty context is not looked up.
    var slot: ContextSlot? {
        get { isEmpty ? nil : self[ContextSlotKey.self] }
        set { self[ContextSlotKey.self] = newValue.flatMap { $0.values == nil && $0.span == nil ? nil : $0 } }
    }

    /// The active span of this package's tracer, when one is (a span binds itself with ``bind(startedIn:)``).
    package var localSpan: (any LocalSpan)? { slot?.span }

    /// Binds `span`, which was started in this context and whose parent values (``LocalSpan/parentValues``) are this
    /// context's: one write of the slot and no lookup.
    package mutating func bind(startedIn span: any LocalSpan) {
        self[ContextSlotKey.self] = ContextSlot(values: span.parentValues, span: span)
    }
}
