import Foundation
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Instrumentation
import W3CTraceContext

extension ProduceCommand {
    /// How a run of sends ended.
    struct SendOutcome: Sendable {
        var delivered = 0
        var failed = 0
        /// What the first failed send said.
        var firstError: String?
    }

    /// Sends in flight at once: enough to keep a broker busy, few enough that an interrupted run stops quickly.
    static let window = 256

    /// Sends `record` `count` times with up to ``window`` sends in flight (in the caller's context, so each carries
    /// the request's session), printing a line per delivery as deliveries arrive and, on a terminal, progress every
    /// 10,000. Stops starting sends once `stopping` is requested or a send fails; waits for those in flight.
    static func send(
        _ record: KafkaProducerRecord,
        count: Int,
        through producer: TracedKafkaProducer,
        output: Output,
        quiet: Bool,
        stopping: StopRequest
    ) async -> SendOutcome {
        let showProgress = !quiet && count >= 10_000 && isatty(STDERR_FILENO) == 1
        var outcome = SendOutcome()
        await withTaskGroup(of: Result<Line, KafkaError>.self) { group in
            var started = 0
            var inFlight = 0
            while true {
                while inFlight < window && started < count && !stopping.requested && outcome.failed == 0 {
                    group.addTask {
                        do throws(KafkaError) {
                            let (receipt, sent) = try await producer.sendReportingHeaders(record)
                            return .success(Line(receipt: receipt, sent: sent))
                        } catch {
                            return .failure(error)
                        }
                    }
                    started += 1
                    inFlight += 1
                }
                guard let result = await group.next() else { break }
                inFlight -= 1
                switch result {
                case .success(let line):
                    outcome.delivered += 1
                    output.emit(line, text: line.text)
                    if showProgress && outcome.delivered % 10_000 == 0 {
                        Output.progress("hlkafka produce: \(outcome.delivered) of \(count) delivered")
                    }
                case .failure(let error):
                    outcome.failed += 1
                    if outcome.firstError == nil { outcome.firstError = "\(error)" }
                }
            }
        }
        return outcome
    }
}

extension ProduceCommand.Line {
    /// The line of one delivered record: where it landed and the context its headers carried.
    init(receipt: KafkaDeliveryReceipt, sent: [KafkaHeader]) {
        let carried = ServiceContext.extract(from: sent, using: KafkaHeadersExtractor(), instrument: HighlightPropagator())
        let trace = carried.w3cTraceContext
        self.init(
            topic: receipt.topic,
            partition: receipt.partition,
            offset: receipt.offset,
            traceId: trace.map { "\($0.traceID)" },
            spanId: trace.map { "\($0.spanID)" },
            sessionSecureId: carried.highlightRequest?.sessionSecureID,
            requestId: carried.highlightRequest?.requestID
        )
    }

    var text: String {
        "delivered \(topic)[\(partition)]@\(offset) session=\(sessionSecureId ?? "-") request=\(requestId ?? "-") trace=\(traceId ?? "-") span=\(spanId ?? "-")"
    }
}
