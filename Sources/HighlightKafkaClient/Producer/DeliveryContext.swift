/// What a queued message carries to its delivery report in librdkafka's one opaque pointer: a retained
/// ``PendingDelivery``, a retained observer object (of the producer's ``DeliveryObserverKind``) marked by the
/// pointer's low bit, which an object's address never sets (Swift objects are at least 8-byte aligned), or, for a send
/// nobody waits for or observes, nothing at all: a marker no object can have as its address.
enum DeliveryContext {
    case pending(PendingDelivery)
    case observer(AnyObject)
    /// Only counted (and logged when it fails): a fire-and-forget send with the report stream off.
    case bare

    private static let observerTag: UInt = 1
    private static let bareMarker: UInt = 2

    /// A retained reference as an opaque pointer; ``takeRetained(_:)`` or ``release(_:)`` gives it back once.
    func passRetained() -> UnsafeMutableRawPointer {
        switch self {
        case .pending(let pending):
            return Unmanaged.passRetained(pending).toOpaque()
        case .observer(let object):
            let address = UInt(bitPattern: Unmanaged.passRetained(object).toOpaque())
            // Never nil: the address is not zero.
            return UnsafeMutableRawPointer(bitPattern: address | Self.observerTag)!
        case .bare:
            // Never nil: the marker is not zero.
            return UnsafeMutableRawPointer(bitPattern: Self.bareMarker)!
        }
    }

    /// Takes back the reference `opaque` holds.
    static func takeRetained(_ opaque: UnsafeMutableRawPointer) -> DeliveryContext {
        let address = UInt(bitPattern: opaque)
        if address == bareMarker { return .bare }
        guard address & observerTag != 0 else {
            return .pending(Unmanaged<PendingDelivery>.fromOpaque(opaque).takeRetainedValue())
        }
        // Never nil: the tag was set on a non-zero address.
        let untagged = UnsafeRawPointer(bitPattern: address & ~observerTag)!
        return .observer(Unmanaged<AnyObject>.fromOpaque(untagged).takeRetainedValue())
    }

    /// Drops the reference `opaque` holds (its message was not queued).
    static func release(_ opaque: UnsafeMutableRawPointer) {
        _ = takeRetained(opaque)
    }
}
