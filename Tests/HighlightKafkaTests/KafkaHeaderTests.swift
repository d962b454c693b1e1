import HighlightKafkaClient
import Testing

/// A consumed message's headers share one buffer of values; a header made by a caller keeps its own array. Either way
/// a header reads, compares and hashes by its name and bytes.
@Suite("KafkaHeader")
struct KafkaHeaderTests {
    static let buffer: [UInt8] = Array("firstsecond".utf8)

    @Test func aSharedValueReadsAsItsRangeOfTheBuffer() {
        let second = KafkaHeader(name: "b", bytes: Self.buffer, range: 5..<11)
        #expect(second.value == Array("second".utf8))
        #expect(second.stringValue == "second")
        #expect(second.hasValue)
        #expect(second.withValueBytes { $0.map(Array.init) } == Array("second".utf8))
    }

    @Test func sharedAndOwnValuesOfTheSameBytesAreEqualAndHashAlike() {
        let shared = KafkaHeader(name: "a", bytes: Self.buffer, range: 0..<5)
        let own = KafkaHeader(name: "a", string: "first")
        #expect(shared == own)
        #expect(Set([shared, own]).count == 1)
        #expect(shared != KafkaHeader(name: "A", string: "first"), "names compare as bytes")
        #expect(shared != KafkaHeader(name: "a", string: "firs"))
    }

    @Test func noValueAndAnEmptyValueStayApart() {
        let empty = KafkaHeader(name: "e", bytes: Self.buffer, range: 3..<3)
        let none = KafkaHeader(name: "e", value: nil)
        #expect(empty.value == [])
        #expect(empty.hasValue && !none.hasValue)
        #expect(none.stringValue == nil)
        #expect(empty != none)
        #expect(empty == KafkaHeader(name: "e", value: []))
    }

    @Test func settingTheValueReplacesTheSharedBytes() {
        var header = KafkaHeader(name: "a", bytes: Self.buffer, range: 0..<5)
        header.value = Array("changed".utf8)
        #expect(header.stringValue == "changed")
        header.value = nil
        #expect(!header.hasValue)
    }
}
