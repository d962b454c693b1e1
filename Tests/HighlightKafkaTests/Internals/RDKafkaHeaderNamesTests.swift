@testable import HighlightKafkaClient
import Testing

@Suite("RDKafkaHeaderNames")
struct RDKafkaHeaderNamesTests {
    @Test func aNameSeenBeforeIsTheSameStringAndANewOneIsReadAsItIs() {
        var names = RDKafkaHeaderNames()
        let first = "x-highlight-request".withCString { names.name($0) }
        let again = "x-highlight-request".withCString { names.name($0) }
        #expect(first == "x-highlight-request")
        #expect(again == first)
        // The same storage: the second read made no new string.
        #expect(first.utf8.withContiguousStorageIfAvailable { $0.baseAddress } == again.utf8.withContiguousStorageIfAvailable { $0.baseAddress })
        // A name that is a prefix, an extension or empty is never mistaken for a kept one.
        #expect("x-highlight".withCString { names.name($0) } == "x-highlight")
        #expect("x-highlight-request-2".withCString { names.name($0) } == "x-highlight-request-2")
        #expect("".withCString { names.name($0) } == "")
    }

    @Test func pastItsCapacityEveryNameIsStillReadRight() {
        var names = RDKafkaHeaderNames()
        for round in 0..<3 {
            for index in 0..<(RDKafkaHeaderNames.capacity * 2) {
                let expected = "header-name-number-\(index)"
                #expect(expected.withCString { names.name($0) } == expected, "round \(round)")
            }
        }
    }
}
