@testable import HighlightKafka
import Testing

@Suite("DeliveryStateMachine")
struct DeliveryStateMachineTests {
    typealias Machine = DeliveryStateMachine

    /// Feeds the machine a script of outcomes (`true`: the attempt succeeds) and returns every action it took.
    static func actions(_ policy: KafkaErrorPolicy, attempts outcomes: [Bool], deadLettersSent: Bool = true) -> [Machine.Action] {
        var machine = Machine(policy: policy)
        var actions = [machine.start()]
        var outcomes = outcomes[...]
        while !machine.isFinished {
            switch actions.last! {
            case .runHandler:
                let succeeded = outcomes.popFirst() ?? false
                actions.append(succeeded ? machine.handlerSucceeded() : machine.handlerFailed())
            case .waitBeforeRetry:
                actions.append(machine.retryWaitEnded(cancelled: false))
            case .sendToDeadLetters:
                actions.append(deadLettersSent ? machine.deadLettersSent() : machine.deadLettersFailed(cancelled: false))
            case .storeOffsets, .stopConsumer, .abandon:
                Issue.record("the machine says it is not finished after \(actions.last!)")
                return actions
            }
        }
        return actions
    }

    @Test func aFirstAttemptThatSucceedsStoresTheOffsets() {
        #expect(Self.actions(.default, attempts: [true]) == [.runHandler(attempt: 1), .storeOffsets(.handled)])
    }

    @Test func theDefaultPolicyRetriesTwiceWithBackoffThenStops() {
        #expect(Self.actions(.default, attempts: [false, false, false]) == [
            .runHandler(attempt: 1), .waitBeforeRetry(.milliseconds(100)),
            .runHandler(attempt: 2), .waitBeforeRetry(.milliseconds(200)),
            .runHandler(attempt: 3), .stopConsumer(attempts: 3),
        ])
    }

    @Test func aRetryThatSucceedsStoresTheOffsets() {
        #expect(Self.actions(.retry(attempts: 5, backoff: .constant(.seconds(1)), then: .stop), attempts: [false, true]) == [
            .runHandler(attempt: 1), .waitBeforeRetry(.seconds(1)), .runHandler(attempt: 2), .storeOffsets(.handled),
        ])
    }

    @Test func skipStoresTheOffsetsOfWhatFailed() {
        #expect(Self.actions(.skip, attempts: [false]) == [.runHandler(attempt: 1), .storeOffsets(.skipped)])
    }

    @Test func deadLetteringStoresOnlyOnceSentAndStopsWhenTheSendFails() {
        let policy = KafkaErrorPolicy.retry(attempts: 2, backoff: .constant(.zero), then: .deadLetter(topic: "parked"))
        #expect(Self.actions(policy, attempts: [false, false]) == [
            .runHandler(attempt: 1), .waitBeforeRetry(.zero), .runHandler(attempt: 2),
            .sendToDeadLetters(topic: "parked"), .storeOffsets(.deadLettered),
        ])
        #expect(Self.actions(policy, attempts: [false, false], deadLettersSent: false).last == .stopConsumer(attempts: 2))
    }

    @Test func cancellationAbandonsWithoutStoringAtEveryWait() {
        var waiting = Machine(policy: .default)
        _ = waiting.start()
        _ = waiting.handlerFailed()
        #expect(waiting.retryWaitEnded(cancelled: true) == .abandon)
        #expect(waiting.isFinished)

        var sending = Machine(policy: .deadLetter(topic: "parked"))
        _ = sending.start()
        #expect(sending.handlerFailed() == .sendToDeadLetters(topic: "parked"))
        #expect(sending.deadLettersFailed(cancelled: true) == .abandon, "a send cut short by cancellation is read again, not a stop")

        var running = Machine(policy: .default)
        _ = running.start()
        #expect(running.cancelled() == .abandon)
    }

    @Test func theLastDecisionIsKeptForTheAttemptsSpan() {
        var machine = Machine(policy: .retry(attempts: 2, backoff: .constant(.seconds(3)), then: .skip))
        _ = machine.start()
        #expect(machine.lastDecision == nil)
        _ = machine.handlerFailed()
        #expect(machine.lastDecision == .retry(after: .seconds(3)))
        _ = machine.retryWaitEnded(cancelled: false)
        _ = machine.handlerFailed()
        #expect(machine.lastDecision == .skip)
    }

    @Test func theAttemptCountFollowsTheRetries() {
        var machine = Machine(policy: .retry(attempts: 3, backoff: .constant(.zero), then: .skip))
        #expect(machine.attempt == 0)
        _ = machine.start()
        #expect(machine.attempt == 1)
        _ = machine.handlerFailed()
        #expect(machine.attempt == 1, "waiting after attempt 1")
        _ = machine.retryWaitEnded(cancelled: false)
        #expect(machine.attempt == 2)
    }

    @Test func policyResolutionWalksNestedPolicies() {
        let policy = KafkaErrorPolicy.retry(
            attempts: 3, backoff: .exponential(initial: .milliseconds(100), maximum: .milliseconds(250)), then: .deadLetter(topic: "d")
        )
        #expect(Machine.decide(policy, failedAttempt: 1) == .retry(after: .milliseconds(100)))
        #expect(Machine.decide(policy, failedAttempt: 2) == .retry(after: .milliseconds(200)))
        #expect(Machine.decide(policy, failedAttempt: 3) == .deadLetter(topic: "d"))
        #expect(Machine.decide(.default, failedAttempt: 3) == .stop)
        #expect(Machine.decide(.retry(attempts: 1, then: .skip), failedAttempt: 1) == .skip)
        let nested = KafkaErrorPolicy.retry(attempts: 2, backoff: .constant(.seconds(1)), then: .retry(attempts: 2, backoff: .constant(.seconds(9)), then: .skip))
        #expect((1...4).map { Machine.decide(nested, failedAttempt: $0) } == [.retry(after: .seconds(1)), .retry(after: .seconds(9)), .skip, .skip])
    }
}
