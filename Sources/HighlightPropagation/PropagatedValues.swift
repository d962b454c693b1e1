import HighlightSynchronization
import Instrumentation
import Synchronization

/// The values ``HighlightPropagator`` restores and forwards.
struct PropagatedValues: Sendable {
    var request: HighlightRequestContext?
    /// The baggage as it came (``ForwardedBaggage``), or as members.
    var baggageStorage: BaggageStorage?
    var forwarded: ForwardedTraceContext?

    enum BaggageStorage: Sendable {
        case forwarded(ForwardedBaggage)
        case parsed(W3CBaggage)
    }

    /// The baggage's members; a forwarded value is parsed on this read.
    var baggage: W3CBaggage? {
        get {
            switch baggageStorage {
            case .forwarded(let forwarded): forwarded.baggage
            case .parsed(let baggage): baggage
            case nil: nil
            }
        }
        set { baggageStorage = newValue.map(BaggageStorage.parsed) }
    }

    var isEmpty: Bool { request == nil && baggageStorage == nil && forwarded == nil }
}

/// How ``PropagatedValues`` are stored in a `ServiceContext`: behind one reference, so that reading one field (the
/// session, say) costs a retain instead of copying every field out of the context's existential box.
@usableFromInline
package final class PropagatedValuesBox: Sendable {
    let values: PropagatedValues
    /// What these values send, once a propagator has injected them (see ``OutgoingHeaders``).
    private let outgoing = Locked<OutgoingHeaders?>(nil)

    init(_ values: PropagatedValues) {
        self.values = values
    }

    /// The session the values restored.
    package var request: HighlightRequestContext? { values.request }

    /// The header values these values send under `settings`: worked out on the first call, shared by later ones (made
    /// again only when a propagator with other settings asks, or a byte carrier after a `String` one).
    ///
    /// - Parameter bytes: the values' bytes are needed too (a byte carrier).
    func outgoingHeaders(_ settings: OutgoingHeaders.Settings, bytes: Bool) -> OutgoingHeaders {
        if let cached = outgoing.withLock({ $0 }), cached.settings == settings, cached.hasBytes || !bytes { return cached }
        let made = OutgoingHeaders(values, settings: settings, bytes: bytes)
        outgoing.withLock { $0 = made }
        return made
    }
}
