import HighlightKafkaClient
import Testing

@Suite("Kafka commits", .timeLimit(.minutes(2)))
struct KafkaCommitTests {
    @Test func aRestartedGroupMemberResumesAfterTheLastCommittedOffset() async throws {
        let topic = try await TestKafka.makeTopic("commit")
        let producer = try TestKafka.producer()
        for index in 0..<10 { try await producer.send(KafkaProducerRecord(topic: topic, value: "\(index)")) }
        await producer.shutdown()
        let group = "resume-\(topic)"

        // First member: processes 10, but only 6 are marked processed; shutdown commits those.
        let first = try TestKafka.groupMember(topic: topic, group: group)
        let firstMessages = try await collect(10, from: first)
        for message in firstMessages.prefix(6) { try first.storeOffset(for: message) }
        await first.shutdown()
        #expect(firstMessages.map(\.valueString) == (0..<10).map { "\($0)" })

        // Second member of the same group: starts exactly at offset 6, nothing skipped.
        let second = try TestKafka.groupMember(topic: topic, group: group)
        let secondMessages = try await collect(4, from: second)
        #expect(secondMessages.map(\.offset) == [6, 7, 8, 9])
        try await second.commit(secondMessages.last!)
        let committed = try await second.committedOffsets(for: [KafkaTopicPartition(topic: topic, partition: 0)])
        #expect(committed.map(\.offset) == [10])
        await second.shutdown()
    }

    @Test func runCommitsOnlyAfterTheHandlerReturnsAndStopsAtTheFailure() async throws {
        let topic = try await TestKafka.makeTopic("run")
        let producer = try TestKafka.producer()
        for index in 0..<8 { try await producer.send(KafkaProducerRecord(topic: topic, value: "\(index)")) }
        await producer.shutdown()
        let group = "run-\(topic)"

        struct Boom: Error {}
        let consumer = try TestKafka.groupMember(topic: topic, group: group)
        await #expect(throws: Boom.self) {
            try await consumer.run { message in
                if message.offset == 5 { throw Boom() }
            }
        }
        // Offsets 0...4 were handled and committed; 5 failed and must be read again.
        let again = try TestKafka.groupMember(topic: topic, group: group)
        let redelivered = try await collect(3, from: again)
        #expect(redelivered.map(\.offset) == [5, 6, 7])
        await again.shutdown()
    }
}
