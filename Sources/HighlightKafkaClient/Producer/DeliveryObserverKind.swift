/// The one observer type a producer carries as the message's own opaque, with no ``PendingDelivery`` in between: the
/// delivery callback gets back a bare object and needs its type to tell it the outcome.
///
/// A producer keeps the first type it is given (in practice the traced producer's span, the only observer there is);
/// sends with any other type take the ``PendingDelivery`` path, which keeps the type in its existential.
final class DeliveryObserverKind: Sendable {
    let id: ObjectIdentifier
    let delivered: @Sendable (AnyObject, Int32, Int64) -> Void
    let failed: @Sendable (AnyObject, KafkaError) -> Void

    init<Observer: KafkaDeliveryObserver>(_: Observer.Type) {
        id = ObjectIdentifier(Observer.self)
        // Only objects of `Observer` are ever carried under this kind (`ProducerCallbacks.carriesDirectly` checks the
        // type before a send tags its object), so the downcasts hold; debug builds check them.
        delivered = { object, partition, offset in
            unsafeDowncast(object, to: Observer.self).delivered(partition: partition, offset: offset)
        }
        failed = { object, error in unsafeDowncast(object, to: Observer.self).failed(error) }
    }
}
