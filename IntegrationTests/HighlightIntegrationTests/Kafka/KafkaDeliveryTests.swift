import HighlightKafkaClient
import HighlightSynchronization
import Testing
import Synchronization

@Suite("Kafka delivery reports", .timeLimit(.minutes(2)))
struct KafkaDeliveryTests {
    @Test func everySendResolvesExactlyOnce() async throws {
        let topic = try await TestKafka.makeTopic("reports", partitions: 3)
        let producer = try TestKafka.producer { $0.queueMaxMessages = 100 }  // small queue: exercises backpressure
        let awaited = 300
        let forgotten = 2000

        // Awaited sends, many at once.
        let receipts = try await withThrowingTaskGroup(of: KafkaDeliveryReceipt.self) { group in
            for index in 0..<awaited {
                group.addTask { try await producer.send(KafkaProducerRecord(topic: topic, key: "\(index)", value: "awaited-\(index)")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(receipts.count == awaited)
        #expect(Set(receipts.map { "\($0.partition)/\($0.offset)" }).count == awaited, "each receipt is a distinct position")

        // Fire-and-forget sends; the queue holds 100, so most of them wait for room instead of failing.
        var ids: [UInt64] = []
        for index in 0..<forgotten {
            ids.append(try await producer.sendAndForget(KafkaProducerRecord(topic: topic, value: "forgotten-\(index)")))
        }
        try await producer.flush()
        var reported: [UInt64: Int] = [:]
        for await report in producer.deliveryReports {
            reported[report.messageID, default: 0] += 1
            _ = try report.result.get()
            if reported.count == forgotten { break }
        }
        #expect(Set(ids) == Set(reported.keys))
        #expect(reported.values.allSatisfy { $0 == 1 })

        let statistics = producer.statistics
        #expect(statistics.enqueued == awaited + forgotten)
        #expect(statistics.delivered == awaited + forgotten)
        #expect(statistics.failed == 0)
        await producer.shutdown()
    }

    // Reports are served by the sending task and by the poll thread, one at a time: the stream keeps librdkafka's order.
    @Test func reportsOfOnePartitionArriveInOffsetOrderWhoeverServesThem() async throws {
        let topic = try await TestKafka.makeTopic("reports-order", partitions: 1)
        let producer = try TestKafka.producer { $0.queueMaxMessages = 500 }  // also waits for room now and then
        let count = 5000
        for index in 0..<count {
            _ = try await producer.sendAndForget(KafkaProducerRecord(topic: topic, value: "\(index)"))
        }
        try await producer.flush()
        var offsets: [Int64] = []
        for await report in producer.deliveryReports {
            offsets.append(try report.result.get().offset)
            if offsets.count == count { break }
        }
        #expect(offsets.count == count)
        #expect(zip(offsets, offsets.dropFirst()).allSatisfy { $0 < $1 }, "offsets strictly increase in report order")
        await producer.shutdown()
    }

    @Test func withTheStreamOffEveryOutcomeStillReachesItsClosureAndTheCounters() async throws {
        let topic = try await TestKafka.makeTopic("reports-off")
        let producer = try TestKafka.producer { $0.deliveryReportBufferSize = 0 }
        var streamed = 0
        for await _ in producer.deliveryReports { streamed += 1 }  // finished at creation: returns at once
        let outcomes = Locked<[UInt64: Int]>([:])
        var ids: [UInt64] = []
        for index in 0..<500 {
            ids.append(
                try await producer.sendAndForget(KafkaProducerRecord(topic: topic, value: "\(index)")) { result in
                    if case .success(let receipt) = result { outcomes.withLock { $0[UInt64(receipt.offset), default: 0] += 1 } }
                }
            )
            _ = try await producer.sendAndForget(KafkaProducerRecord(topic: topic, value: "no closure \(index)"))
        }
        try await producer.flush()
        #expect(streamed == 0)
        #expect(Set(ids).count == 500)
        let counts = outcomes.withLock { $0 }
        #expect(counts.count == 500 && counts.values.allSatisfy { $0 == 1 }, "each closure ran exactly once, each with its own offset")
        #expect(producer.statistics.delivered == 1000)
        #expect(producer.statistics.deliveryReportsDropped == 0, "nothing is counted as dropped when nothing was asked for")
        await producer.shutdown()
    }

    @Test func withTheStreamOffAFireAndForgetSendThatFailsIsStillCounted() async throws {
        // Nothing listens on port 1 of loopback: the messages stay queued until shutdown fails them. With no stream,
        // closure or observer, nothing but the counters (and the log) can tell of them.
        var configuration = KafkaProducerConfiguration(bootstrapServers: ["127.0.0.1:1"])
        configuration.deliveryReportBufferSize = 0
        let producer = try KafkaProducer(configuration: configuration, logger: TestKafka.logger)
        for index in 0..<4 {
            _ = try await producer.sendAndForget(KafkaProducerRecord(topic: "nowhere", value: "\(index)"))
        }
        #expect(producer.statistics.enqueued == 4)
        await producer.shutdown(flushTimeout: .milliseconds(200))
        #expect(producer.statistics.failed == 4, "each failure counted")
        #expect(producer.statistics.delivered == 0)
    }

    @Test func aSendToAClusterThatIsDownFailsWithATypedTimeout() async throws {
        // Nothing listens on port 1 of loopback: the same outcome as a cluster whose brokers are all down, with a
        // real broker configured or not.
        var configuration = KafkaProducerConfiguration(bootstrapServers: ["127.0.0.1:1"])
        configuration.messageTimeout = .seconds(2)
        let producer = try KafkaProducer(configuration: configuration, logger: TestKafka.logger)
        let clock = ContinuousClock()
        let started = clock.now
        await #expect {
            try await producer.send(KafkaProducerRecord(topic: "nowhere", value: "lost?"))
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.kind == .delivery && error.code == .messageTimedOut && error.isRetriable
        }
        #expect(clock.now - started >= .seconds(1.5))
        #expect(producer.statistics.failed == 1)
        await producer.shutdown()
    }

    @Test func shutdownFailsWhatCannotBeDeliveredInsteadOfLosingIt() async throws {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: ["127.0.0.1:1"]), logger: TestKafka.logger)
        let outcomes = LockedArray<Result<KafkaDeliveryReceipt, KafkaError>>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    do {
                        let receipt = try await producer.send(KafkaProducerRecord(topic: "nowhere", value: "\(index)"))
                        outcomes.append(.success(receipt))
                    } catch let error as KafkaError {
                        outcomes.append(.failure(error))
                    }
                }
            }
            // Let the sends queue up, then shut down with a short flush.
            while producer.statistics.enqueued < 20 { await Task.yield() }
            await producer.shutdown(flushTimeout: .milliseconds(200))
            try await group.waitForAll()
        }
        let results = outcomes.values
        #expect(results.count == 20)
        let codes = results.compactMap { result -> KafkaErrorCode? in
            if case .failure(let error) = result { error.code } else { nil }
        }
        #expect(codes.count == 20)
        #expect(codes.allSatisfy { $0 == .purgedFromQueue || $0 == .purgedInFlight })
        await #expect(throws: KafkaError.self) { try await producer.send(KafkaProducerRecord(topic: "nowhere", value: "late")) }
    }

    @Test func invalidConfigurationNamesThePropertyAndLibrdkafkasReason() throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: TestKafka.bootstrapServers)
        configuration.additionalProperties["linger.ms"] = "not-a-number"
        #expect {
            try KafkaProducer(configuration: configuration)
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.kind == .configuration && error.property == "linger.ms" && error.message.contains("linger.ms")
        }
        var unknown = KafkaConsumerConfiguration(bootstrapServers: TestKafka.bootstrapServers, subscription: .group(id: "g", topics: ["t"]))
        unknown.additionalProperties["no.such.property"] = "1"
        #expect {
            try KafkaConsumer(configuration: unknown)
        } throws: { error in
            (error as? KafkaError)?.property == "no.such.property"
        }
    }
}
