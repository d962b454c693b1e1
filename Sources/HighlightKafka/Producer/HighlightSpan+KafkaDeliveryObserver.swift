package import HighlightKafkaClient
package import HighlightTracing

/// A record sent by ``TracedKafkaProducer`` without a delivery closure tells its span of the outcome itself: the span
/// ends when the report is served, with no closure made per message.
extension HighlightSpan: KafkaDeliveryObserver {
    package func delivered(partition: Int32, offset: Int64) {
        endDelivered(partition: partition, offset: offset)
    }

    package func failed(_ error: KafkaError) {
        TracedKafkaProducer.end(self, with: .failure(error))
    }
}
