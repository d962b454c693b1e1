import HighlightKafkaClient
import HighlightKafkaTesting
import HighlightSynchronization
import Testing
import Synchronization

@Suite("Reliability: errors injected by the broker", .timeLimit(.minutes(5)))
struct InjectedBrokerErrorTests {
    @Test func retriableProduceErrorsRecoverAndFatalOnesAreTyped() async throws {
        let cluster = try KafkaMockCluster(brokers: 1)
        try cluster.createTopic("injected", partitions: 1)
        let producer = try Reliability.producer(cluster)
        cluster.pushRequestErrors(.produce, [.notLeaderForPartition, .requestTimedOut, .notEnoughReplicas])
        for index in 0..<20 { try await producer.send(KafkaProducerRecord(topic: "injected", value: "\(index)")) }
        #expect(producer.statistics.delivered == 20)

        cluster.pushRequestErrors(.produce, [.topicAuthorizationFailed])
        await #expect {
            try await producer.send(KafkaProducerRecord(topic: "injected", value: "refused"))
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.kind == .delivery && error.code == .topicAuthorizationFailed && !error.isRetriable
        }
        await producer.shutdown()

        let reader = try Reliability.reader(cluster, topic: "injected", partitions: 1)
        let values = try await collect(20, from: reader).map(\.valueString)
        await reader.shutdown()
        #expect(values == (0..<20).map { "\($0)" }, "retried sends arrive once, in order")
    }

    @Test func retriableFetchCommitAndJoinErrorsRecover() async throws {
        let cluster = try await Reliability.cluster(topic: "group-faults", partitions: 2, messages: 50)

        cluster.pushRequestErrors(.joinGroup, [.coordinatorLoadInProgress, .coordinatorLoadInProgress])
        cluster.pushRequestErrors(.fetch, [.notLeaderForPartition, .requestTimedOut])
        // A session long enough to outlast a starved machine: with 6 s, a loaded run saw the coordinator connection
        // fail for longer than that, the member evicted, and the commits below refused as UNKNOWN_MEMBER_ID for the
        // rest of the test (a group change this test is not about).
        let consumer = try Reliability.member(cluster, topic: "group-faults", group: "faults", sessionTimeout: .seconds(45))
        let messages = try await collect(50, from: consumer, timeout: .seconds(60))
        #expect(Set(messages.map(\.valueString)).count == 50)

        // A commit that the broker refuses is a typed error, not a crash; the next one succeeds. The refusal is one
        // librdkafka does not retry (NOT_COORDINATOR it retries by itself, so the commit could succeed and assert
        // nothing).
        cluster.pushRequestErrors(.offsetCommit, [.groupAuthorizationFailed])
        var refused: KafkaError?
        do { try await consumer.commit(messages[0]) } catch { refused = error }
        #expect(refused?.kind == .commit, "the refusal surfaces as a commit error")
        #expect(refused?.code == .groupAuthorizationFailed)
        // Under load the group can move meanwhile (the member found evicted, or rejoining): that refusal says the
        // group changed, not that the commit path is broken, so the commit is tried again once the member is back.
        let deadline = ContinuousClock.now + .seconds(20)
        let groupChanged = ["UNKNOWN_MEMBER_ID", "ILLEGAL_GENERATION", "REBALANCE_IN_PROGRESS"]
        while true {
            let failure: KafkaError
            do {
                try await consumer.commit(messages.last!)
                break
            } catch {
                failure = error
            }
            guard groupChanged.contains(failure.code.name), ContinuousClock.now < deadline else { throw failure }
            try await Task.sleep(for: .milliseconds(200))
        }
        await consumer.shutdown()
    }

    @Test func fatalFetchJoinAndCommitErrorsAreTypedErrorsAndEventsAndLoseNothing() async throws {
        let cluster = try await Reliability.cluster(topic: "fatal-faults", partitions: 2, messages: 50)

        cluster.pushRequestErrors(.joinGroup, [.groupAuthorizationFailed])
        cluster.pushRequestErrors(.fetch, [.topicAuthorizationFailed])
        let consumer = try Reliability.member(cluster, topic: "fatal-faults", group: "fatal")
        let errors = Locked<[KafkaError]>([])
        let watcher = Task {
            for await event in consumer.events { if case .error(let error) = event { errors.withLock { $0.append(error) } } }
        }
        let messages = try await collect(50, from: consumer, timeout: .seconds(60))
        #expect(Set(messages.map(\.valueString)).count == 50, "once the broker answers again, everything is read")

        // A refused commit throws a typed error (and is also an event); the next commit goes through.
        cluster.pushRequestErrors(.offsetCommit, [.groupAuthorizationFailed])
        await #expect {
            try await consumer.commit(messages[0])
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.kind == .commit && error.code == .groupAuthorizationFailed && !error.isRetriable
        }
        try await consumer.commit(messages.last!)
        await consumer.shutdown()
        watcher.cancel()
        let seen = errors.withLock { $0 }.map { "\($0.kind) \($0.code.name) retriable: \($0.isRetriable)" }
        #expect(seen.contains("consumer GROUP_AUTHORIZATION_FAILED retriable: false"), "the refused join is an event")
        #expect(seen.contains("consumer TOPIC_AUTHORIZATION_FAILED retriable: false"), "the refused fetch is an event")
        #expect(seen.contains("commit GROUP_AUTHORIZATION_FAILED retriable: false"), "the refused commit is an event too")
    }

    @Test func theFinalCommitIsRetriedWhenTheCoordinatorRefusesItForAWhile() async throws {
        let cluster = try await Reliability.cluster(topic: "final-commit", partitions: 1, messages: 20)

        let consumer = try Reliability.member(cluster, topic: "final-commit", group: "final-commit")
        for message in try await collect(20, from: consumer) { try consumer.storeOffset(for: message) }
        cluster.pushRequestErrors(.offsetCommit, [.rebalanceInProgress, .coordinatorLoadInProgress, .rebalanceInProgress])
        await consumer.shutdown()
        let committed = try await TestKafka.committedOffsets(
            group: "final-commit", topic: "final-commit", partitions: [0], on: [cluster.bootstrapServers]
        )
        #expect(committed.first?.offset == 20, "three refusals, then the commit at shutdown went through")
    }
}
