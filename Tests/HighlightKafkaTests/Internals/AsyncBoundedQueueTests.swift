@testable import HighlightKafka
import Testing

@Suite("AsyncBoundedQueue")
struct AsyncBoundedQueueTests {
    @Test func keepsOrderAndHoldsASenderWhileFull() async {
        let queue = AsyncBoundedQueue<Int>(capacity: 2)
        #expect(await queue.send(1))
        #expect(await queue.send(2))
        let third = Task { await queue.send(3) }
        await eventually("the third send waits for room") { queue.waitingSenders == 1 }
        #expect(queue.count == 2, "never more than the capacity is stored")
        #expect(await queue.next() == 1)
        #expect(await third.value)
        #expect(await queue.next() == 2)
        #expect(await queue.next() == 3)
    }

    @Test func finishWakesTheWaitingSenderAndReceiver() async {
        let full = AsyncBoundedQueue<Int>(capacity: 1)
        #expect(await full.send(1))
        let sender = Task { await full.send(2) }
        await eventually("the send waits") { full.waitingSenders == 1 }
        full.finish(discardingPending: true)
        #expect(await sender.value == false, "the element was not taken")
        #expect(await full.next() == nil)

        let empty = AsyncBoundedQueue<Int>(capacity: 1)
        let receiver = Task { await empty.next() }
        empty.finish(discardingPending: false)
        #expect(await receiver.value == nil)
        #expect(await empty.send(1) == false)
    }

    @Test func finishingWithoutDiscardingLetsTheReceiverDrain() async {
        let queue = AsyncBoundedQueue<Int>(capacity: 3)
        #expect(await queue.send(1))
        #expect(await queue.send(2))
        queue.finish(discardingPending: false)
        #expect(await queue.next() == 1)
        #expect(await queue.next() == 2)
        #expect(await queue.next() == nil)
    }

    /// A worker waiting for its partition's next message stops waiting when its task is cancelled (the run is).
    @Test func cancellingAWaitingReceiverEndsItsWait() async {
        let queue = AsyncBoundedQueue<Int>(capacity: 2)
        let receiver = Task { await queue.next() }
        await eventually("the receiver waits") { queue.hasWaitingReceiver }
        receiver.cancel()
        await finishes(receiver, "a cancelled receiver returns")
        #expect(await receiver.value == nil)
        // The queue itself is not finished: the next receiver gets what is sent.
        #expect(await queue.send(7))
        #expect(await queue.next() == 7)
    }

    @Test func aReceiverCancelledBeforeItWaitsDoesNotWait() async {
        let queue = AsyncBoundedQueue<Int>(capacity: 2)
        let receiver = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await queue.next()
        }
        await finishes(receiver, "returns at once")
        #expect(await receiver.value == nil)
        #expect(!queue.hasWaitingReceiver)
    }

    /// What completes a batch: the elements already there, up to a maximum, without waiting, freeing their room.
    @Test func takeAvailableTakesWhatIsThereUpToTheMaximumAndLetsSendersOn() async {
        let budget = QueueBudget(capacity: 10)
        let queue = AsyncBoundedQueue<Int>(capacity: 3, budget: budget)
        for value in 1...3 { #expect(await queue.send(value)) }
        let fourth = Task { await queue.send(4) }
        await eventually("the fourth send waits for room") { queue.waitingSenders == 1 }
        #expect(queue.takeAvailable(upTo: 2) == [1, 2])
        #expect(await fourth.value, "room was made")
        #expect(queue.takeAvailable(upTo: 10) == [3, 4])
        #expect(queue.takeAvailable(upTo: 10) == [])
        #expect(budget.used == 0, "every slot went back")
    }

    @Test func aSharedBudgetBoundsTheSumOfTheQueues() async {
        let budget = QueueBudget(capacity: 3)
        let first = AsyncBoundedQueue<Int>(capacity: 10, budget: budget)
        let second = AsyncBoundedQueue<Int>(capacity: 10, budget: budget)
        #expect(await first.send(1))
        #expect(await first.send(2))
        #expect(await second.send(10))
        let blocked = Task { await second.send(11) }
        await eventually("the fourth message waits for the budget") { budget.waiting == 1 }
        #expect(first.count + second.count == 3)
        #expect(await first.next() == 1)
        #expect(await blocked.value)
        #expect(budget.used == 3)
        #expect(first.count + second.count == 3)
    }

    @Test func aCancelledSendGivesItsBudgetSlotBack() async {
        let budget = QueueBudget(capacity: 5)
        let queue = AsyncBoundedQueue<Int>(capacity: 1, budget: budget)
        #expect(await queue.send(1))
        let sender = Task { await queue.send(2) }
        await eventually("the send holds a slot and waits for room") { queue.waitingSenders == 1 }
        #expect(budget.used == 2)
        sender.cancel()
        #expect(await sender.value == false)
        #expect(budget.used == 1, "only the stored element holds a slot")
        #expect(queue.waitingSenders == 0)
        #expect(await queue.next() == 1)
        #expect(budget.used == 0)
    }

    @Test func removePendingDropsWhatWaitsAndReleasesItsSlots() async {
        let budget = QueueBudget(capacity: 10)
        let queue = AsyncBoundedQueue<Int>(capacity: 5, budget: budget)
        for value in 1...3 { #expect(await queue.send(value)) }
        #expect(queue.removePending() == 3)
        #expect(budget.used == 0)
        #expect(await queue.send(4))
        #expect(await queue.next() == 4)
    }

    /// A partition's run of messages: the waiting worker is handed the first, the rest are stored in order at once
    /// (its next takes need no wait), and only the stored ones hold budget slots.
    @Test func sendingARunHandsTheFirstToTheWaitingReceiverAndStoresTheRest() async {
        let budget = QueueBudget(capacity: 10)
        let queue = AsyncBoundedQueue<Int>(capacity: 5, budget: budget)
        let receiver = Task { await queue.next() }
        await eventually("the receiver waits") { queue.hasWaitingReceiver }
        var run = [3, 2, 1]
        #expect(await queue.send(poppingLast: 3, from: &run) == 3)
        #expect(run.isEmpty)
        #expect(await receiver.value == 1)
        #expect(queue.count == 2, "the rest stored by the same send")
        #expect(budget.used == 2, "the element handed over holds no slot")
        #expect(queue.takeAvailable(upTo: 10) == [2, 3])
        #expect(budget.used == 0)
    }

    /// Past the queue's capacity (or the shared budget) the rest is sent one by one, waiting for room, in order.
    @Test func sendingARunPastTheBoundsWaitsForRoomAndKeepsTheOrder() async {
        let budget = QueueBudget(capacity: 3)
        let other = AsyncBoundedQueue<Int>(capacity: 10, budget: budget)
        #expect(await other.send(100))
        let queue = AsyncBoundedQueue<Int>(capacity: 10, budget: budget)
        let sender = Task {
            var run = [5, 4, 3, 2, 1]
            return await queue.send(poppingLast: 5, from: &run)
        }
        await eventually("the run waits for the budget") { budget.waiting == 1 }
        #expect(queue.count == 2, "only what the budget had room for is stored")
        #expect(budget.used == 3)
        var received: [Int] = []
        for _ in 1...5 { if let value = await queue.next() { received.append(value) } }
        #expect(received == [1, 2, 3, 4, 5])
        #expect(await sender.value == 5)
        #expect(await other.next() == 100)
        #expect(budget.used == 0, "every slot went back")
    }

    @Test func aRunSentToAFinishedQueueOrCutShortByItsFinishSaysHowManyWereTaken() async {
        let finished = AsyncBoundedQueue<Int>(capacity: 5)
        finished.finish(discardingPending: false)
        var refused = [2, 1]
        #expect(await finished.send(poppingLast: 2, from: &refused) == 0)
        #expect(refused.isEmpty, "what was not taken is dropped")

        let budget = QueueBudget(capacity: 10)
        let queue = AsyncBoundedQueue<Int>(capacity: 2, budget: budget)
        let sender = Task {
            var run = [4, 3, 2, 1]
            let taken = await queue.send(poppingLast: 4, from: &run)
            return (taken, run)
        }
        await eventually("the third waits for room") { queue.waitingSenders == 1 }
        queue.finish(discardingPending: true)
        let (taken, left) = await sender.value
        #expect(taken == 2, "the two stored were taken, the rest was not")
        #expect(left.isEmpty, "the rest was dropped")
        #expect(budget.used == 0, "the dropped ones gave their slots back")
    }

    /// The dispatcher's batch is reversed and each partition's run taken from its end: only the run leaves it, in the
    /// order it was read, and what precedes it stays for the next run.
    @Test func sendingFromTheEndTakesOnlyTheRunInTheOrderItWasRead() async {
        let queue = AsyncBoundedQueue<Int>(capacity: 10)
        var batch = [20, 10, 3, 2, 1]
        #expect(await queue.send(poppingLast: 3, from: &batch) == 3)
        #expect(batch == [20, 10])
        #expect(queue.takeAvailable(upTo: 10) == [1, 2, 3])
        #expect(await queue.send(poppingLast: 0, from: &batch) == 0)
        #expect(batch == [20, 10], "a run of none takes nothing")
    }
}
