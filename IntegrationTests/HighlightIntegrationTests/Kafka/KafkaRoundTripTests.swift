import HighlightKafkaClient
import Testing

@Suite("Kafka produce and consume round trips", .timeLimit(.minutes(2)))
struct KafkaRoundTripTests {
    @Test func keysNullAndEmptyValuesBinaryAndDuplicateHeadersSurvive() async throws {
        let topic = try await TestKafka.makeTopic("roundtrip")
        let producer = try TestKafka.producer()
        let binary: [UInt8] = [0x00, 0xFF, 0x0D, 0x0A, 0xC3, 0x28]
        let records = [
            KafkaProducerRecord(topic: topic, key: "k1", value: "hello"),
            KafkaProducerRecord(topic: topic, key: nil as [UInt8]?, value: nil as [UInt8]?),  // tombstone without key
            KafkaProducerRecord(topic: topic, key: "tombstone", value: nil as String?),
            KafkaProducerRecord(topic: topic, key: [], value: []),  // empty, not null
            KafkaProducerRecord(
                topic: topic,
                key: binary,
                value: binary,
                headers: [
                    KafkaHeader(name: "dup", string: "first"),
                    KafkaHeader(name: "bin", value: binary),
                    KafkaHeader(name: "dup", string: "second"),
                    KafkaHeader(name: "null", value: nil),
                    KafkaHeader(name: "empty", value: []),
                    // Names are passed to librdkafka by pointer and length: inline (up to 15 bytes), heap, empty, UTF-8.
                    KafkaHeader(name: "a-header-name-longer-than-fifteen-bytes", string: "long"),
                    KafkaHeader(name: "", string: "unnamed"),
                    KafkaHeader(name: "nämé", string: "utf8"),
                ]
            ),
        ]
        var receipts: [KafkaDeliveryReceipt] = []
        for record in records { receipts.append(try await producer.send(record)) }
        #expect(receipts.map(\.offset) == [0, 1, 2, 3, 4])
        await producer.shutdown()

        let consumer = try TestKafka.reader(topic: topic)
        let messages = try await collect(records.count, from: consumer)
        await consumer.shutdown()

        #expect(messages.map(\.key) == records.map(\.key))
        #expect(messages.map(\.value) == records.map(\.value))
        #expect(messages[1].value == nil && messages[1].key == nil)
        #expect(messages[3].value == [] && messages[3].key == [])
        #expect(messages[4].headers == records[4].headers)
        #expect(messages[4].headers.map(\.name) == ["dup", "bin", "dup", "null", "empty", "a-header-name-longer-than-fifteen-bytes", "", "nämé"])
        #expect(messages[4].lastHeader(named: "DUP")?.stringValue == "second")
        #expect(messages.allSatisfy { $0.timestampMilliseconds != nil })
    }

    /// librdkafka 2.0 stops fetching at `queued.min.messages` and looks again up to a second later; the poll thread
    /// restarts it once the queue has drained (FetchPauseWaker). A reader slower than the fetcher, with a threshold of
    /// 200 messages, reaches it: every message arrives once, in order, and the restarts are counted.
    @Test func aDrainedQueueRestartsFetchingWithoutLosingOrRepeatingMessages() async throws {
        let topic = try await TestKafka.makeTopic("drain", partitions: 2)
        let producer = try TestKafka.producer()
        let perPartition = 5_000
        for index in 0..<(2 * perPartition) {
            try await producer.sendAndForget(KafkaProducerRecord(topic: topic, partition: Int32(index % 2), value: "\(index / 2)"))
        }
        try await producer.flush()
        await producer.shutdown()

        let consumer = try TestKafka.reader(topic: topic, partitions: 2) { configuration in
            configuration.bufferCapacity = 50
            configuration.additionalProperties["queued.min.messages"] = "200"
        }
        var values: [Int32: [Int]] = [0: [], 1: []]
        var count = 0
        for await message in consumer.messages {
            values[message.partition, default: []].append(Int(String(decoding: message.value ?? [], as: UTF8.self)) ?? -1)
            count += 1
            // Slower than the fetcher: librdkafka's queue fills past the threshold while this pauses (a long pause
            // after the first message, so that it surely does once, then short ones).
            if count == 1 { try await Task.sleep(for: .milliseconds(300)) }
            if count % 1_000 == 0 { try await Task.sleep(for: .milliseconds(20)) }
            if count == 2 * perPartition { break }
        }
        let wakeUps = consumer.fetchWakeUps
        await consumer.shutdown()
        #expect(values[0] == Array(0..<perPartition))
        #expect(values[1] == Array(0..<perPartition))
        #expect(wakeUps > 0, "fetching was restarted after the queue drained")
    }

    /// Brokers refuse records over `message.max.bytes` (about 1 MB by default), so 1 MB means the largest value a
    /// default broker takes with room for the record's own overhead.
    @Test func oneMegabyteValues() async throws {
        let topic = try await TestKafka.makeTopic("large")
        let producer = try TestKafka.producer()
        let value = (0..<999_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for _ in 0..<3 { try await producer.send(KafkaProducerRecord(topic: topic, value: value)) }
        await producer.shutdown()
        let consumer = try TestKafka.reader(topic: topic)
        let messages = try await collect(3, from: consumer)
        await consumer.shutdown()
        #expect(messages.allSatisfy { $0.value == value })
    }

    @Test func severalPartitionsAndAGroupOfTwoConsumersSplittingThem() async throws {
        let topic = try await TestKafka.makeTopic("group", partitions: 4)
        let group = "split-\(topic)"
        let first = try TestKafka.groupMember(topic: topic, group: group)
        let second = try TestKafka.groupMember(topic: topic, group: group)
        // Produce once both members hold partitions: a member joining mid-way is a rebalance, and what was handled but
        // not yet committed then is read twice (at-least-once; RebalanceTests count that case).
        try await withTimeout(.seconds(30)) {
            await withTaskGroup(of: Void.self) { joined in
                for member in [first, second] {
                    joined.addTask {
                        for await event in member.events {
                            if case .partitionsAssigned(let partitions) = event, !partitions.isEmpty { return }
                        }
                    }
                }
            }
        }
        let producer = try TestKafka.producer()
        let total = 400
        for index in 0..<total {
            try await producer.sendAndForget(KafkaProducerRecord(topic: topic, key: "key-\(index % 40)", value: "\(index)"))
        }
        try await producer.flush()
        await producer.shutdown()

        let seen = SeenMessages()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for (name, consumer) in [("first", first), ("second", second)] {
                tasks.addTask {
                    try await consumer.run { message in
                        let done = seen.add(message, by: name, total: total)
                        if done {
                            first.triggerShutdown()
                            second.triggerShutdown()
                        }
                    }
                }
            }
            tasks.addTask {
                // A bound on the test, not a pause in the code under test: stops both members if they stall.
                try? await Task.sleep(for: .seconds(60))
                first.triggerShutdown()
                second.triggerShutdown()
            }
            try await tasks.next()
            try await tasks.next()
            tasks.cancelAll()
        }
        let snapshot = seen.snapshot
        #expect(snapshot.values.count == total)
        #expect(Set(snapshot.values).count == total, "every message handled")
        let firstPartitions = Set(snapshot.partitionsByConsumer["first"] ?? [])
        let secondPartitions = Set(snapshot.partitionsByConsumer["second"] ?? [])
        #expect(!firstPartitions.isEmpty && !secondPartitions.isEmpty, "both members received partitions")
        #expect(firstPartitions.isDisjoint(with: secondPartitions))
        #expect(firstPartitions.union(secondPartitions) == [0, 1, 2, 3])
    }
}
