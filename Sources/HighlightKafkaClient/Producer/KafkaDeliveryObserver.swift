/// An object told of its message's outcome, for a layer above the producer that already keeps one object per message
/// (a span, say): handing that object to ``KafkaProducer/sendAndForget(_:headers:observer:)`` spares the closure
/// context an `onDelivery` closure would allocate for every message, and, when the producer's report stream is off,
/// the producer's own record of the send (the object itself rides with the message).
package protocol KafkaDeliveryObserver: AnyObject, Sendable {
    /// The message was stored at `offset` in `partition`. Called exactly once per message, this or
    /// ``failed(_:)``, on the producer's poll thread or inside a later send, before any report is put on the stream:
    /// keep it short and never block in it.
    ///
    /// - Parameters:
    ///   - partition: the partition the broker stored it in.
    ///   - offset: its offset there.
    func delivered(partition: Int32, offset: Int64)

    /// The message was not delivered; called where ``delivered(partition:offset:)`` would be.
    ///
    /// - Parameter error: why (its message names the topic).
    func failed(_ error: KafkaError)
}
