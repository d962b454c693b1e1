@testable import HighlightKafka
import Testing

@Suite("QueueBudget")
struct QueueBudgetTests {
    @Test func slotsGoToWaitersInTheOrderTheyCame() async {
        let budget = QueueBudget(capacity: 2)
        #expect(await budget.acquire())
        #expect(await budget.acquire())
        #expect(budget.used == 2)
        let first = Task { await budget.acquire() }
        await eventually("the first waiter waits") { budget.waiting == 1 }
        let second = Task { await budget.acquire() }
        await eventually("the second waiter waits") { budget.waiting == 2 }

        budget.release()
        #expect(await first.value)
        #expect(budget.waiting == 1, "one slot went to the first waiter only")
        #expect(budget.used == 2)
        budget.release()
        #expect(await second.value)
        #expect(budget.used == 2)
    }

    @Test func aCancelledWaiterLeavesWithoutASlot() async {
        let budget = QueueBudget(capacity: 1)
        #expect(await budget.acquire())
        let waiter = Task { await budget.acquire() }
        await eventually("the waiter waits") { budget.waiting == 1 }
        waiter.cancel()
        #expect(await waiter.value == false)
        #expect(budget.waiting == 0)
        #expect(budget.used == 1, "the cancelled waiter took no slot")
        budget.release()
        #expect(budget.used == 0)
    }

    @Test func anAlreadyCancelledTaskDoesNotWait() async {
        let budget = QueueBudget(capacity: 1)
        #expect(await budget.acquire())
        let waiter = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await budget.acquire()
        }
        #expect(await waiter.value == false)
        #expect(budget.used == 1)
    }
}
