import Foundation
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Instrumentation

// `hlkafka bench produce`: the Swift producers' runs.
//
// The warm-up: every producer sends one record and waits for its delivery before the clock starts (the raw C baseline
// too). Without it, a run whose first send came while the client's first metadata request (brokers only) was in flight
// knew no partitions of its topic until the client's once-a-second topic scan asked again: its messages waited in the
// local queue for up to a second, in any mode, and that wait, not the per-message work, made the slow half of the
// earlier runs (about 90-170k msg/s at 100-200k messages, with the process mostly idle).
extension BenchCommand {
    /// The request every traced record is sent in: a browser's session, its trace and baggage.
    static let request = ServiceContext.extract(from: [
        "x-highlight-request": "benchSession0000000000000000/benchReq01",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "baggage": "tenant=acme,plan=gold",
    ])

    /// The headers the wrapper writes for a record sent in ``request``, made once: with them the plain client shows
    /// what the extra bytes cost librdkafka and the broker, apart from the work of making them per record.
    static func propagatedHeaders() -> [KafkaHeader] {
        var headers: [KafkaHeader] = []
        request.inject(into: &headers)
        return headers
    }

    static func value(_ bytes: Int) -> [UInt8] { [UInt8](repeating: UInt8(ascii: "x"), count: bytes) }

    /// Nothing reads the report stream here (the raw C baseline only counts its reports too): it is turned off;
    /// deliveries and failures are still counted and checked.
    static func producerConfiguration(_ servers: String) -> KafkaProducerConfiguration {
        var configuration = KafkaProducerConfiguration(bootstrapServers: [servers], clientID: "hlkafka-bench")
        configuration.deliveryReportBufferSize = 0
        return configuration
    }

    /// - Returns: the seconds taken and the records sent (fewer than `messages` once `stopping` is requested).
    static func producePlain(
        servers: String, topic: String, messages: Int, valueBytes: Int, headers: [KafkaHeader] = [], stopping: StopRequest
    ) async throws -> (Double, sent: Int) {
        let producer = try KafkaProducer(configuration: producerConfiguration(servers), logger: Telemetry.quietLogger)
        var record = KafkaProducerRecord(topic: topic, value: value(valueBytes))
        record.headers = headers
        try await producer.send(record)  // the warm-up (see the top of this file)
        let started = ContinuousClock.now
        var sent = 0
        while sent < messages && (sent & 4095 != 0 || !stopping.requested) {
            try await producer.sendAndForget(record)
            sent += 1
        }
        try await producer.flush(timeout: .seconds(120))
        let elapsed = ContinuousClock.now - started
        try check(producer.statistics, sent + 1, stopping: stopping)
        await producer.shutdown()
        return (elapsed.seconds, sent)
    }

    /// - Parameters:
    ///   - keyed: spread the records over every partition by key (the fill for consume benchmarks: the mock cluster
    ///     deletes the oldest data of a partition past a few MB, so none may get more than its share).
    ///   - fill: the fill for consume benchmarks: large batches, and the caller's context injected as it is (the
    ///     headers have the same form as with a span per record).
    static func produceTraced(
        servers: String,
        topic: String,
        messages: Int,
        valueBytes: Int,
        keyed: Bool = false,
        createSpans: Bool = true,
        fill: Bool = false,
        stopping: StopRequest
    ) async throws -> (Double, sent: Int) {
        var configuration = producerConfiguration(servers)
        if fill {
            // Large batches: the mock cluster finds a fetch offset by walking a partition's batches one by one, so
            // thousands of small batches make every fetch slow (its thread then dominates the profile of all modes).
            configuration.linger = .milliseconds(200)
        }
        let producer = try TracedKafkaProducer(
            configuration: configuration,
            tracing: .init(createSpans: createSpans && !fill),
            logger: Telemetry.quietLogger
        )
        let record = KafkaProducerRecord(topic: topic, value: value(valueBytes))
        // The warm-up (see the top of this file), through the plain client underneath: no span to count among the run's.
        try await producer.producer.send(record)
        let started = ContinuousClock.now
        var sent = 0
        try await ServiceContext.withValue(request) { [record] in
            // A copy of its own for the loop: the closure's captured `var` lives in a box, and passing it copied the
            // record (4 retains a message, which the plain modes' loop does not pay).
            var record = record
            while sent < messages && (sent & 4095 != 0 || !stopping.requested) {
                if keyed { record.key = Array("key-\(sent)".utf8) }
                try await producer.sendAndForget(record)
                sent += 1
            }
        }
        try await producer.flush(timeout: .seconds(120))
        let elapsed = ContinuousClock.now - started
        try check(producer.producer.statistics, sent + 1, stopping: stopping)
        await producer.shutdown()
        return (elapsed.seconds, sent)
    }

}
