import HighlightKafkaClient
import HighlightPropagation

/// A stand-in for the header list librdkafka keeps with a produced message: names and value bytes appended as the
/// producer's writer appends them, the storage kept between messages (for ``BytePathRoundTrip``).
struct HeaderBlock: PropagationByteSink {
    private var names: [String] = []
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    mutating func removeAll() {
        names.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    mutating func set(_ name: String, bytes value: UnsafeRawBufferPointer) {
        names.append(name)
        bytes.append(contentsOf: value)
        ends.append(bytes.count)
    }

    /// The headers written, as a consumer receives them.
    var headers: [KafkaHeader] {
        names.indices.map { index in
            let start = index == 0 ? 0 : ends[index - 1]
            return KafkaHeader(name: names[index], value: Array(bytes[start..<ends[index]]))
        }
    }
}
