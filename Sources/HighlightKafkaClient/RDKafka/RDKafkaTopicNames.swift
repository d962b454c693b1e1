import CRDKafka
import Foundation

/// The topic name of the last message copied, reused while messages keep coming from the same topic (a name longer
/// than 15 bytes is otherwise an allocation per message).
struct RDKafkaTopicNames {
    private var last = ""

    /// The name of `topic`: the cached `String` when it is the same text.
    mutating func name(of topic: OpaquePointer) -> String {
        let name = rd_kafka_topic_name(topic)!
        // Compared by text, not by handle: a destroyed topic handle's address may be reused for another topic.
        if !last.withCString({ strcmp($0, name) == 0 }) { last = String(cString: name) }
        return last
    }
}
