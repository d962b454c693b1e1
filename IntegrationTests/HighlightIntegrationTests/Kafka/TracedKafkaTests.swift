@testable import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import InMemoryLogging
import InMemoryTracing
import Logging
import Instrumentation
import HighlightSynchronization
import Testing
import Tracing
import Synchronization

@Suite("Context-restoring producer and consumer", .timeLimit(.minutes(2)))
struct TracedKafkaTests {
    let fixture = TracingFixture()

    /// Produces `count` messages through the traced producer inside `context`, each in a `send` span.
    func produce(_ count: Int, to topic: String, in context: ServiceContext, partition: Int32? = nil) async throws {
        let producer = TracedKafkaProducer(producer: try TestKafka.producer(), configuration: fixture.producerConfiguration)
        try await withTracer(fixture.tracer) {
            try await ServiceContext.withValue(context) {
                for index in 0..<count {
                    try await producer.send(KafkaProducerRecord(topic: topic, partition: partition, key: "k\(index)", value: "\(index)"))
                }
            }
        }
        await producer.shutdown()
    }

    func consumer(topic: String, group: String? = nil, _ configure: (inout TracedKafkaConsumer.Configuration) -> Void = { _ in }) throws -> TracedKafkaConsumer {
        let plain = try TestKafka.groupMember(topic: topic, group: group ?? "g-\(topic)")
        return TracedKafkaConsumer(consumer: plain, configuration: fixture.consumerConfiguration(configure), logger: TestKafka.logger)
    }

    /// Runs `consumer` until `count` handler calls, returning what each saw.
    func observe(_ count: Int, _ consumer: TracedKafkaConsumer, _ body: @escaping @Sendable (KafkaTracedMessage) async throws -> Void = { _ in }) async throws -> [Observation] {
        let seen = LockedArray<Observation>()
        try await withTracer(fixture.tracer) {
            try await withTimeout(.seconds(60)) {
                try await consumer.run { message in
                    seen.append(message.observe())
                    if seen.values.count >= count { consumer.triggerShutdown() }
                    try await body(message)
                }
            }
        }
        return seen.values
    }

    @Test func theHandlerRunsInTheProducersSessionAndContinuesItsSpan() async throws {
        let topic = try await TestKafka.makeTopic("traced")
        try await produce(3, to: topic, in: TracingFixture.requestContext(session: "sessS", request: "reqR"))
        let sends = fixture.finishedSpans(named: "send \(topic)")
        #expect(sends.count == 3)
        #expect(sends.allSatisfy { $0.kind == .producer && $0.attributes["messaging.system"]?.toSpanAttribute() == .string("kafka") })

        let observations = try await observe(3, try consumer(topic: topic))
        #expect(observations.map(\.session) == ["sessS", "sessS", "sessS"])
        #expect(observations.map(\.request) == ["reqR", "reqR", "reqR"])
        #expect(observations.map(\.carriedSession) == ["sessS", "sessS", "sessS"])
        #expect(observations.map(\.extractedContextSession) == ["sessS", "sessS", "sessS"])
        #expect(observations.map(\.tenant) == ["acme", "acme", "acme"])
        // Parent mode: each process span is the child of the send span of its message, in the same trace.
        for (observation, send) in zip(observations, sends) {
            #expect(observation.spanTraceID == send.context.inMemorySpanContext?.traceID)
            #expect(observation.spanParentID == send.context.inMemorySpanContext?.spanID)
        }
        let processes = fixture.finishedSpans(named: "process \(topic)")
        #expect(processes.count == 3)
        #expect(processes.allSatisfy { $0.kind == .consumer })
        #expect(processes.first?.attributes["messaging.kafka.offset"]?.toSpanAttribute() == .int64(0))
    }

    @Test func linkModeStartsANewTraceLinkedToTheProducerAndKeepsTheSession() async throws {
        let topic = try await TestKafka.makeTopic("linked")
        try await produce(1, to: topic, in: TracingFixture.requestContext(session: "linkS", request: "linkR"))
        let send = try #require(fixture.finishedSpans(named: "send \(topic)").first)
        let observations = try await observe(1, try consumer(topic: topic) { $0.spanRelation = .link })
        #expect(observations.first?.session == "linkS")
        #expect(observations.first?.spanTraceID != send.context.inMemorySpanContext?.traceID)
        let process = try #require(fixture.finishedSpans(named: "process \(topic)").first)
        #expect(process.links.count == 1)
        #expect(process.links.first?.context.inMemorySpanContext?.spanID == send.context.inMemorySpanContext?.spanID)
    }

    @Test func withoutSpansTheCallersContextTravelsAndNoSpanIsMade() async throws {
        let topic = try await TestKafka.makeTopic("no-spans")
        var producerConfiguration = fixture.producerConfiguration
        producerConfiguration.createSpans = false
        let producer = TracedKafkaProducer(producer: try TestKafka.producer(), configuration: producerConfiguration)
        let request = fixture.tracer.startSpan("request", context: TracingFixture.requestContext(session: "quietS", request: "quietR"))
        let callersSpan = try #require(request.context.inMemorySpanContext)
        let delivered = LockedArray<Int64>()
        try await ServiceContext.withValue(request.context) {
            for index in 0..<3 { try await producer.send(KafkaProducerRecord(topic: topic, partition: 0, value: "\(index)")) }
            try await producer.sendAndForget(KafkaProducerRecord(topic: topic, partition: 0, value: "3")) { result in
                if case .success(let receipt) = result { delivered.append(receipt.offset) }
            }
        }
        request.end()
        await producer.shutdown()
        #expect(delivered.values == [3], "onDelivery ran once, with the receipt")
        #expect(fixture.finishedSpans(named: "send \(topic)").isEmpty)

        let spanIDs = LockedArray<String?>()
        let observations = try await observe(4, try consumer(topic: topic) { $0.createSpans = false }) { _ in
            spanIDs.append(ServiceContext.current?.inMemorySpanContext?.spanID)
        }
        #expect(observations.map(\.session) == ["quietS", "quietS", "quietS", "quietS"])
        #expect(observations.map(\.request) == ["quietR", "quietR", "quietR", "quietR"])
        #expect(observations.map(\.tenant) == ["acme", "acme", "acme", "acme"])
        // The handler runs in the caller's span as extracted: same trace, same span, nothing started in between.
        #expect(observations.allSatisfy { $0.spanTraceID == callersSpan.traceID })
        #expect(spanIDs.values == Array(repeating: callersSpan.spanID, count: 4))
        #expect(fixture.finishedSpans(named: "process \(topic)").isEmpty)
    }

    @Test func messagesWithoutOrWithMalformedHeadersRunWithoutContext() async throws {
        let topic = try await TestKafka.makeTopic("malformed")
        let producer = try TestKafka.producer()
        try await producer.send(KafkaProducerRecord(topic: topic, value: "no headers"))
        try await producer.send(KafkaProducerRecord(topic: topic, value: "crlf", headers: [KafkaHeader(name: "x-highlight-request", string: "evil\r\nx-other: 1/r")]))
        try await producer.send(KafkaProducerRecord(topic: topic, value: "bytes", headers: [KafkaHeader(name: "X-Highlight-Request", value: [0xC3, 0x28, 0x2F, 0x72])]))
        try await producer.send(KafkaProducerRecord(topic: topic, value: "bad trace", headers: [KafkaHeader(name: "traceparent", string: "00-zz-zz-01")]))
        await producer.shutdown()

        let observations = try await observe(4, try consumer(topic: topic))
        #expect(observations.count == 4)
        #expect(observations.allSatisfy { $0.session == nil })
        #expect(fixture.statistics.rejectionCount(for: .highlightRequest) == 2)
        #expect(fixture.statistics.rejectionCount(for: .traceParent) == 1)
    }

    @Test func batchesGetOneSpanLinkingEveryMessageAndEachMessageItsOwnContext() async throws {
        let topic = try await TestKafka.makeTopic("batches")
        try await produce(3, to: topic, in: TracingFixture.requestContext(session: "first", request: "1"))
        try await produce(3, to: topic, in: TracingFixture.requestContext(session: "second", request: "2"))
        let consumer = try consumer(topic: topic)
        let seen = LockedArray<String>()
        let batchSizes = LockedArray<Int>()
        try await withTracer(fixture.tracer) {
            try await withTimeout(.seconds(60)) {
                try await consumer.runBatches(maximumSize: 10) { batch in
                    batchSizes.append(batch.count)
                    for message in batch {
                        await message.withContext {
                            seen.append("\(message.message.offset):\(ServiceContext.current?.highlightRequest?.sessionSecureID ?? "nil")")
                        }
                    }
                    if seen.values.count >= 6 { consumer.triggerShutdown() }
                }
            }
        }
        #expect(seen.values == ["0:first", "1:first", "2:first", "3:second", "4:second", "5:second"])
        let spans = fixture.finishedSpans(named: "process \(topic)")
        #expect(spans.count == batchSizes.values.count)
        #expect(spans.map(\.links.count) == batchSizes.values)
    }

    @Test func twoSessionsOnTwoPartitionsNeverSeeEachOthersContext() async throws {
        let topic = try await TestKafka.makeTopic("isolation", partitions: 2)
        try await produce(20, to: topic, in: TracingFixture.requestContext(session: "alice", request: "a"), partition: 0)
        try await produce(20, to: topic, in: TracingFixture.requestContext(session: "bob", request: "b"), partition: 1)
        let mixups = LockedArray<String>()
        let observations = try await observe(40, try consumer(topic: topic)) { message in
            let expected = message.message.partition == 0 ? "alice" : "bob"
            for _ in 0..<3 {
                // Interleave with the other partition's handler.
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...3)))
                let current = ServiceContext.current?.highlightRequest?.sessionSecureID
                if current != expected { mixups.append("\(message.message.partition): \(current ?? "nil")") }
            }
        }
        #expect(observations.count == 40)
        #expect(mixups.values.isEmpty)
        #expect(Set(observations.filter { $0.partition == 0 }.map(\.session)) == ["alice"])
        #expect(Set(observations.filter { $0.partition == 1 }.map(\.session)) == ["bob"])
    }

    @Test func messagesWaitingInAllPartitionQueuesTogetherStayWithinTheTotalCapacity() async throws {
        let topic = try await TestKafka.makeTopic("bounded", partitions: 4)
        let producer = try TestKafka.producer()
        for index in 0..<400 { try await producer.send(KafkaProducerRecord(topic: topic, partition: Int32(index % 4), value: "\(index)")) }
        await producer.shutdown()
        let consumer = try consumer(topic: topic) {
            $0.partitionQueueCapacity = 100
            $0.totalQueueCapacity = 10
        }
        let release = HandlerGate()
        let handled = LockedArray<String>()
        let run = Task {
            try await withTimeout(.seconds(60)) {
                try await consumer.run { message in
                    // Every partition's first handler waits, so fetched messages can only pile up in the queues.
                    await release.wait()
                    handled.append(message.message.valueString ?? "")
                    if handled.values.count == 400 { consumer.triggerShutdown() }
                }
            }
        }
        // 396 messages are there to fill the queues (each partition's could take 100); the total stops them at 10:
        // the dispatcher ends up waiting for a slot of the budget.
        try await withTimeout(.seconds(20)) { await consumer.queueBudget.waitForWaiters(1) }
        #expect(consumer.queueBudget.waiting == 1, "the dispatcher alone waits for room in the full queues")
        #expect(consumer.statistics.queuedMessages == 10)
        release.open()
        try await run.value
        // The budget's own high-water mark: every acquisition counted, none sampled.
        #expect(consumer.queueBudget.peakUsed == 10, "the queues filled up to the total capacity and no further")
        #expect(handled.values.count == 400)
        #expect(Set(handled.values).count == 400, "every message handled once")
        #expect(consumer.statistics.queuedMessages == 0)
    }
}

@Suite("Handler errors under each policy", .timeLimit(.minutes(2)))
struct TracedKafkaErrorPolicyTests {
    let fixture = TracingFixture()
    struct HandlerFailed: Error, CustomStringConvertible { let description = "order 2 is broken" }

    func setUp(_ name: String, messages: Int = 4) async throws -> String {
        let topic = try await TestKafka.makeTopic(name)
        let producer = TracedKafkaProducer(producer: try TestKafka.producer(), configuration: fixture.producerConfiguration)
        try await ServiceContext.withValue(TracingFixture.requestContext(session: "errS", request: "errR")) {
            for index in 0..<messages { try await producer.send(KafkaProducerRecord(topic: topic, key: "k\(index)", value: "\(index)")) }
        }
        await producer.shutdown()
        return topic
    }

    func committed(_ topic: String, group: String) async throws -> Int64 {
        try await TestKafka.committedOffsets(group: group, topic: topic, partitions: [0]).first?.offset ?? -1
    }

    @Test func stopDoesNotCommitTheFailedMessageAndThrows() async throws {
        let topic = try await setUp("stop")
        let group = "stop-\(topic)"
        let reported = LockedArray<Int>()
        let consumer = TracedKafkaConsumer(
            consumer: try TestKafka.groupMember(topic: topic, group: group),
            configuration: fixture.consumerConfiguration {
                $0.errorPolicy = .retry(attempts: 2, backoff: .constant(.milliseconds(10)), then: .stop)
                $0.errorReporter = { failure in reported.append(failure.attempt) }
            },
            logger: TestKafka.logger
        )
        let attempts = LockedArray<Int>()
        await #expect(throws: KafkaHandlerError.self) {
            try await consumer.run { message in
                if message.message.offset == 2 {
                    attempts.append(message.attempt)
                    throw HandlerFailed()
                }
            }
        }
        #expect(attempts.values == [1, 2])
        #expect(reported.values == [1, 2], "each failed attempt reported exactly once")
        #expect(consumer.statistics.handled == 2)
        #expect(try await committed(topic, group: group) == 2, "offsets 0 and 1 committed; 2 will be read again")
    }

    @Test func skipCommitsAndGoesOn() async throws {
        let topic = try await setUp("skip")
        let group = "skip-\(topic)"
        let consumer = TracedKafkaConsumer(
            consumer: try TestKafka.groupMember(topic: topic, group: group),
            configuration: fixture.consumerConfiguration { $0.errorPolicy = .skip },
            logger: TestKafka.logger
        )
        let handled = LockedArray<Int64>()
        try await withTimeout(.seconds(60)) {
            try await consumer.run { message in
                handled.append(message.message.offset)
                if message.message.offset == 3 { consumer.triggerShutdown() }
                if message.message.offset == 2 { throw HandlerFailed() }
            }
        }
        #expect(handled.values == [0, 1, 2, 3])
        #expect(consumer.statistics.skipped == 1)
        #expect(try await committed(topic, group: group) == 4)
    }

    @Test func withoutSpansAndWithoutAReporterAFailureIsLogged() async throws {
        let topic = try await setUp("skip-no-spans")
        let logs = InMemoryLogHandler()
        let consumer = TracedKafkaConsumer(
            consumer: try TestKafka.groupMember(topic: topic, group: "skip-no-spans-\(topic)"),
            configuration: fixture.consumerConfiguration {
                $0.errorPolicy = .skip
                $0.createSpans = false
            },
            logger: Logger(label: "no-spans", factory: { _ in logs })
        )
        try await withTimeout(.seconds(60)) {
            try await consumer.run { message in
                if message.message.offset == 3 { consumer.triggerShutdown() }
                if message.message.offset == 2 { throw HandlerFailed() }
            }
        }
        #expect(consumer.statistics.skipped == 1)
        let failures = logs.entries.filter { $0.level == .error && "\($0.message)" == "The handler failed" }
        #expect(failures.count == 1)
        #expect(failures.first?.metadata["offset"] == "2")
        #expect(failures.first?.metadata["error"] == "order 2 is broken")
    }

    /// A topic with 4 messages and a consumer that retries a failed message once, then dead-letters it.
    func retryOnceThenDeadLetter(_ name: String) async throws -> (topic: String, group: String, deadLetters: String, consumer: TracedKafkaConsumer) {
        let topic = try await setUp(name)
        let deadLetters = try await TestKafka.makeTopic("\(name)-dead-letters")
        let group = "\(name)-\(topic)"
        let consumer = TracedKafkaConsumer(
            consumer: try TestKafka.groupMember(topic: topic, group: group),
            configuration: fixture.consumerConfiguration {
                $0.errorPolicy = .retry(attempts: 2, backoff: .constant(.milliseconds(10)), then: .deadLetter(topic: deadLetters))
            },
            logger: TestKafka.logger
        )
        return (topic, group, deadLetters, consumer)
    }

    @Test func deadLetterCarriesTheContextAndTheErrorThenCommits() async throws {
        let (topic, group, deadLetters, consumer) = try await retryOnceThenDeadLetter("dlq")
        try await withTimeout(.seconds(60)) {
            try await consumer.run { message in
                if message.message.offset == 3 { consumer.triggerShutdown() }
                if message.message.offset == 2 { throw HandlerFailed() }
            }
        }
        #expect(consumer.statistics.deadLettered == 1)
        #expect(consumer.statistics.retries == 1)
        #expect(try await committed(topic, group: group) == 4)

        let reader = try TestKafka.reader(topic: deadLetters)
        let parked = try #require(try await collect(1, from: reader).first)
        await reader.shutdown()
        #expect(parked.keyString == "k2")
        #expect(parked.valueString == "2")
        #expect(parked.lastHeader(named: "x-highlight-request")?.stringValue == "errS/errR")
        #expect(parked.lastHeader(named: "baggage")?.stringValue?.contains("tenant=acme") == true)
        #expect(parked.lastHeader(named: DeadLetterHeader.errorType)?.stringValue?.hasSuffix("HandlerFailed") == true)
        #expect(parked.lastHeader(named: DeadLetterHeader.errorMessage)?.stringValue == "order 2 is broken")
        #expect(parked.lastHeader(named: DeadLetterHeader.originalTopic)?.stringValue == topic)
        #expect(parked.lastHeader(named: DeadLetterHeader.originalPartition)?.stringValue == "0")
        #expect(parked.lastHeader(named: DeadLetterHeader.originalOffset)?.stringValue == "2")
        #expect(parked.lastHeader(named: DeadLetterHeader.attempts)?.stringValue == "2")
    }

    /// A handler cannot kill its worker: cancelling the task it runs in, or failing through a child task, is a failed
    /// attempt like any other, and the partition's next messages run in a task that is not cancelled.
    @Test func aHandlerThatCancelsItsTaskOrFailsInAChildTaskFailsUnderThePolicyAndThePartitionGoesOn() async throws {
        let (topic, group, deadLetters, consumer) = try await retryOnceThenDeadLetter("cancel")
        let completed = LockedArray<Int64>()
        try await withTimeout(.seconds(60)) {
            try await consumer.run { message in
                switch message.message.offset {
                case 1:
                    // Cancels the task the handler runs in; the wait then throws CancellationError.
                    withUnsafeCurrentTask { $0?.cancel() }
                    try await Task.sleep(for: .seconds(3600))
                case 2:
                    // A child task fails: its sibling is cancelled and the error reaches the handler.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { throw HandlerFailed() }
                        group.addTask { try await Task.sleep(for: .seconds(3600)) }
                        try await group.next()  // rethrows the first failure; leaving the group cancels the sleeper
                    }
                default:
                    try await Task.sleep(for: .milliseconds(1))  // throws if this task were cancelled
                    completed.append(message.message.offset)
                    if message.message.offset == 3 { consumer.triggerShutdown() }
                }
            }
        }
        #expect(completed.values == [0, 3], "the message after the failing ones ran in a task that is not cancelled")
        #expect(consumer.statistics.failedAttempts == 4)
        #expect(consumer.statistics.deadLettered == 2)
        #expect(try await committed(topic, group: group) == 4, "each committed only once handled or dead-lettered")

        let reader = try TestKafka.reader(topic: deadLetters)
        let parked = try await collect(2, from: reader)
        await reader.shutdown()
        #expect(parked.map { $0.lastHeader(named: DeadLetterHeader.originalOffset)?.stringValue } == ["1", "2"])
        #expect(parked.first?.lastHeader(named: DeadLetterHeader.errorType)?.stringValue?.contains("CancellationError") == true)
        #expect(parked.last?.lastHeader(named: DeadLetterHeader.errorType)?.stringValue?.hasSuffix("HandlerFailed") == true)
    }

    @Test func aHandlerThatHangsPastTheTimeoutFailsUnderThePolicy() async throws {
        let topic = try await setUp("hang", messages: 2)
        let consumer = TracedKafkaConsumer(
            consumer: try TestKafka.groupMember(topic: topic, group: "hang-\(topic)"),
            configuration: fixture.consumerConfiguration {
                $0.errorPolicy = .skip
                $0.handlerTimeout = .milliseconds(200)
            },
            logger: TestKafka.logger
        )
        try await withTimeout(.seconds(60)) {
            try await consumer.run { message in
                if message.message.offset == 1 { consumer.triggerShutdown() }
                if message.message.offset == 0 { try await Task.sleep(for: .seconds(3600)) }
            }
        }
        #expect(consumer.statistics.failedAttempts == 1)
        #expect(consumer.statistics.skipped == 1)
        #expect(consumer.statistics.handled == 1)
    }
}

/// Holds handlers until ``open()``; a continuation each, no polling.
final class HandlerGate: Sendable {
    private let state = Locked<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let pass = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if pass { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
