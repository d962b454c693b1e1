/// What a queued message carries to its delivery report in librdkafka's one opaque pointer: a retained
/// ``PendingDelivery``, or a retained observer object (of the producer's ``DeliveryObserverKind``) marked by the
/// pointer's low bit, which an object's address never sets (Swift objects are at least 8-byte aligned).
enum DeliveryContext {
    case pending(PendingDelivery)
    case observer(AnyObject)

    private static let observerTag: UInt = 1

    /// A retained reference as an opaque pointer; ``takeRetained(_:)`` or ``release(_:)`` gives it back once.
    func passRetained() -> UnsafeMutableRawPointer {
        switch self {
        case .pending(let pending):
            return Unmanaged.passRetained(pending).toOpaque()
        case .observer(let object):
            let address = UInt(bitPattern: Unmanaged.passRetained(object).toOpaque())
            // Never nil: the address is not zero.
            return UnsafeMutableRawPointer(bitPattern: address | Self.observerTag)!
        }
    }

    /// Takes back the reference `opaque` holds.
    static func takeRetained(_ opaque: UnsafeMutableRawPointer) -> DeliveryContext {
        let address = UInt(bitPattern: opaque)
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
