/// An object told of its message's outcome, for a layer above the producer that already keeps one object per message
/// (a span, say): handing that object to ``KafkaProducer/sendAndForget(_:observer:)`` spares the closure context an
/// `onDelivery` closure would allocate for every message.
package protocol KafkaDeliveryObserver: AnyObject, Sendable {
    /// Called exactly once with the message's outcome, on the producer's poll thread or inside a later send, before its
    /// report is put on the stream: keep it short and never block in it.
    ///
    /// - Parameter result: where the message landed, or why it failed.
    func delivered(_ result: Result<KafkaDeliveryReceipt, KafkaError>)
}
