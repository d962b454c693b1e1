@testable import HighlightKafkaClient
import Testing

@Suite("RoomSignal")
struct RoomSignalTests {
    @Test func aSignalWakesWaitersOfTheGenerationTheyRead() async {
        let room = RoomSignal()
        let generation = room.generation
        let waiter = Task { await room.wait(after: generation) }
        await eventually("the sender waits") { room.waiterCount == 1 }
        room.signal()
        await waiter.value
        await room.wait(after: generation)  // a signal came since that generation: returns at once
        #expect(room.waiterCount == 0)
    }

    @Test func aWaitingSenderLeavesOnCancellation() async {
        let room = RoomSignal()
        let waiter = Task { await room.wait(after: room.generation) }
        await eventually("the sender waits") { room.waiterCount == 1 }
        waiter.cancel()
        await finishes(waiter, "cancellation ends the wait")
        #expect(room.waiterCount == 0)
    }

    @Test func closeWakesEveryoneNowAndLater() async {
        let room = RoomSignal()
        let waiter = Task { await room.wait(after: room.generation) }
        await eventually("the sender waits") { room.waiterCount == 1 }
        room.close()
        await waiter.value
        await room.wait(after: room.generation)
    }
}
