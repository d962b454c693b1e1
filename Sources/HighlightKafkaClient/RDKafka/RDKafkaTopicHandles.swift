import CRDKafka
import HighlightSynchronization
import Synchronization

/// A client's topic handles (`rd_kafka_topic_t`) by name, each made on its first use and destroyed with the client:
/// storing one message's offset through its topic's handle allocates nothing, where a one-entry partition list costs
/// five allocations (the list, its entries, the topic's name twice, the Swift array).
///
/// Handles are kept as their addresses (a pointer is not `Sendable`); they stay valid until ``destroyAll()``, which
/// the owning client calls in its `deinit`, before it destroys the `rd_kafka_t` they belong to.
final class RDKafkaTopicHandles: Sendable {
    private struct State {
        /// The handle used last: one topic's messages come in runs, and its name is compared without hashing.
        var last: (name: String, address: UInt)?
        var all: [String: UInt] = [:]
    }

    private let state = Locked(State())

    /// The handle of `topic` on `client`, made on first use; `nil` when librdkafka cannot make one.
    func handle(for topic: String, client: OpaquePointer) -> OpaquePointer? {
        let address = state.withLock { state -> UInt? in
            if let last = state.last, last.name == topic { return last.address }
            if let known = state.all[topic] {
                state.last = (topic, known)
                return known
            }
            guard let made = rd_kafka_topic_new(client, topic, nil) else { return nil }
            let address = UInt(bitPattern: made)
            state.all[topic] = address
            state.last = (topic, address)
            return address
        }
        return address.flatMap { OpaquePointer(bitPattern: $0) }
    }

    /// Destroys every handle; later calls make new ones.
    func destroyAll() {
        state.withLock { state in
            for address in state.all.values {
                if let handle = OpaquePointer(bitPattern: address) { rd_kafka_topic_destroy(handle) }
            }
            state = State()
        }
    }
}
