import Dispatch
@testable import HighlightKafkaClient
import Synchronization
import Testing

@Suite("DeliveryReportServing")
struct DeliveryReportServingTests {
    @Test func servingPollsUntilNothingIsLeft() {
        let serving = DeliveryReportServing()
        var batches = [3, 2, 0, 7]
        let served = serving.serve { batches.removeFirst() }
        #expect(served == 5)
        #expect(batches == [7], "stops at the first empty poll")
    }

    @Test func aSenderNeverWaitsForAnotherServer() {
        let serving = DeliveryReportServing()
        let inside = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = serving.serve {
                inside.signal()
                release.wait()
                return 0
            }
            done.signal()
        }
        inside.wait()
        var polled = false
        #expect(serving.serveIfIdle(takingOver: true) { polled = true; return 1 } == 0)
        #expect(!polled, "the sender did not poll while the poll thread was serving")
        release.signal()
        done.wait()
        #expect(serving.serveIfIdle(takingOver: true) { 0 } == 0)
    }

    @Test func thePollThreadServesWhenNoSenderCan() {
        let serving = DeliveryReportServing()
        serving.reportsArrived()
        var remaining = [4, 0]
        let served = serving.pollThreadTurn(sendersWaiting: { false }, wakeSenders: {}) { remaining.removeFirst() }
        #expect(served == 4)
    }

    @Test func thePollThreadWakesASenderWaitingForRoomInsteadOfServing() {
        let serving = DeliveryReportServing()
        serving.reportsArrived()
        var woken = 0
        var polled = false
        let served = serving.pollThreadTurn(sendersWaiting: { true }, wakeSenders: { woken += 1 }) { polled = true; return 1 }
        #expect(served == 0)
        #expect(woken == 1)
        #expect(!polled, "the woken sender serves the reports itself")
    }

    @Test func oneSendInSixtyFourServes() {
        let serving = DeliveryReportServing()
        let serving128 = (0..<128).filter { _ in serving.countSend() }.count
        #expect(serving128 == 2)
        #expect(DeliveryReportServing.sendsPerServing == 64)
    }
}
