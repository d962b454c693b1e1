import HighlightKafkaClient
import Testing

@Suite("KafkaConsumerMessage")
struct KafkaConsumerMessageTests {
    @Test func lastHeaderMatchesNamesIgnoringASCIICaseOnlyAndTakesTheLastOfSeveral() {
        let message = KafkaConsumerMessage(
            topic: "t",
            partition: 0,
            offset: 0,
            value: nil,
            headers: [
                KafkaHeader(name: "Trace-Id", string: "first"),
                KafkaHeader(name: "other", string: "x"),
                KafkaHeader(name: "TRACE-ID", string: "last"),
                KafkaHeader(name: "Ärger", string: "umlaut"),
            ]
        )
        #expect(message.lastHeader(named: "trace-id")?.stringValue == "last")
        #expect(message.lastHeader(named: "Other")?.stringValue == "x")
        #expect(message.lastHeader(named: "Ärger")?.stringValue == "umlaut")
        // Only ASCII letters' case is ignored, as the documentation says: "ä" is another letter than "Ä".
        #expect(message.lastHeader(named: "ärger") == nil)
        #expect(message.lastHeader(named: "trace-i") == nil)
        #expect(message.lastHeader(named: "missing") == nil)
    }
}
