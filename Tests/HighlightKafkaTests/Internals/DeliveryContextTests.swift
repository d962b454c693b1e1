@testable import HighlightKafkaClient
import Logging
import Synchronization
import Testing

/// A message's opaque carries either the producer's record of the send or, with the report stream off, the observer
/// object itself (tagged in the pointer's low bit); the delivery callback must get back exactly what was queued, tell
/// the right object, and leave no reference behind.
@Suite("DeliveryContext and observer-carried deliveries")
struct DeliveryContextTests {
    final class SpanLike: KafkaDeliveryObserver {
        let told = Mutex<[String]>([])
        func delivered(partition: Int32, offset: Int64) { told.withLock { $0.append("delivered \(partition)/\(offset)") } }
        func failed(_ error: KafkaError) { told.withLock { $0.append("failed \(error.code.name): \(error.message)") } }
    }

    final class OtherObserver: KafkaDeliveryObserver {
        func delivered(partition: Int32, offset: Int64) {}
        func failed(_ error: KafkaError) {}
    }

    @Test func anObserverTravelsTaggedAndComesBackAsTheSameObject() throws {
        let observer = SpanLike()
        let opaque = DeliveryContext.observer(observer).passRetained()
        #expect(UInt(bitPattern: opaque) & 1 == 1, "tagged")
        guard case .observer(let back) = DeliveryContext.takeRetained(opaque) else {
            Issue.record("an observer's opaque came back as a pending send")
            return
        }
        #expect(ObjectIdentifier(back) == ObjectIdentifier(observer))
    }

    @Test func aPendingSendTravelsUntagged() throws {
        let pending = PendingDelivery(id: 7, topic: "t", forgotten: true)
        let opaque = DeliveryContext.pending(pending).passRetained()
        #expect(UInt(bitPattern: opaque) & 1 == 0)
        guard case .pending(let back) = DeliveryContext.takeRetained(opaque) else {
            Issue.record("a pending send's opaque came back as an observer")
            return
        }
        #expect(ObjectIdentifier(back) == ObjectIdentifier(pending) && back.id == 7)
    }

    @Test func takingBackOrReleasingLeavesNoReference() {
        weak var taken: SpanLike?
        weak var released: SpanLike?
        do {
            let first = SpanLike(), second = SpanLike()
            taken = first
            released = second
            _ = DeliveryContext.takeRetained(DeliveryContext.observer(first).passRetained())
            DeliveryContext.release(DeliveryContext.observer(second).passRetained())
        }
        #expect(taken == nil && released == nil, "both freed once their last reference went")
    }

    @Test func onlyTheFirstObserverTypeRidesDirectlyAndOnlyWithTheStreamOff() {
        let callbacks = ProducerCallbacks(reports: nil, logger: Logger(label: "test"))
        #expect(callbacks.carriesDirectly(SpanLike.self))
        #expect(!callbacks.carriesDirectly(OtherObserver.self), "a second type takes the pending path")
        #expect(callbacks.carriesDirectly(SpanLike.self), "the first stays")

        let (_, continuation) = AsyncStream.makeStream(of: KafkaDeliveryReport.self)
        let streaming = ProducerCallbacks(reports: continuation, logger: Logger(label: "test"))
        #expect(!streaming.carriesDirectly(SpanLike.self), "a report needs the id and topic only a pending send keeps")
    }

    @Test func anObservedReportTellsItsObjectAndCounts() {
        let callbacks = ProducerCallbacks(reports: nil, logger: Logger(label: "test"))
        #expect(callbacks.carriesDirectly(SpanLike.self))
        let observer = SpanLike()
        var topicReads = 0
        callbacks.observed(observer, .delivered(partition: 3, offset: 41, timestampMilliseconds: nil)) {
            topicReads += 1
            return "orders"
        }
        callbacks.observed(observer, .failed(.messageTimedOut)) {
            topicReads += 1
            return "orders"
        }
        let told = observer.told.withLock { $0 }
        #expect(told.count == 2)
        #expect(told.first == "delivered 3/41")
        #expect(told.last?.hasPrefix("failed \(KafkaErrorCode.messageTimedOut.name): delivery to orders failed") == true, "\(told)")
        #expect(topicReads == 1, "the topic is read only to name a failure")
        let statistics = callbacks.counters.snapshot
        #expect(statistics.delivered == 1 && statistics.failed == 1)
    }

    @Test func aBareSendCarriesNoObjectAndIsOnlyCounted() {
        let opaque = DeliveryContext.bare.passRetained()
        guard case .bare = DeliveryContext.takeRetained(opaque) else {
            Issue.record("a bare send's opaque came back as something else")
            return
        }
        DeliveryContext.release(DeliveryContext.bare.passRetained())

        let callbacks = ProducerCallbacks(reports: nil, logger: Logger(label: "test"))
        var topicReads = 0
        callbacks.counted(.delivered(partition: 0, offset: 1, timestampMilliseconds: nil)) {
            topicReads += 1
            return "t"
        }
        callbacks.counted(.failed(.messageTimedOut)) {
            topicReads += 1
            return "t"
        }
        let statistics = callbacks.counters.snapshot
        #expect(statistics.delivered == 1 && statistics.failed == 1)
        #expect(topicReads == 1, "the topic is read only to name a failure")
    }
}
