import Foundation
import HighlightKafkaClient
import HighlightKafkaTesting
import HighlightTestSupport
import Testing

/// Every broker of the mock cluster down for five seconds while producing: nothing is lost.
///
/// The scenario runs in a child process (this test bundle again, with only `outageScenario` enabled). librdkafka
/// 2.0.2's mock broker, when taken down, closes its listener and binds the same port again at once, so that it comes
/// back at the same address; when another socket of the machine takes the port in between, librdkafka aborts the
/// process (`rdkafka_mock.c`: "Failed to bind mock broker socket ... Address already in use", then the assertion
/// "Failed to-create mock broker listener"). Seen once, in a CI run with every suite running in parallel; sarama's
/// mock broker has the same race (IBM/sarama#2721). In a child, that abort ends the child only: the scenario is run
/// again when, and only when, the child ended that way, at most three times. Any other failure of the child fails
/// this test with the child's output.
@Suite("Reliability: every broker down", .timeLimit(.minutes(5)))
struct AllBrokersDownTests {
    static let childVariable = "HIGHLIGHT_ALL_BROKERS_DOWN_CHILD"
    static let lostPort = "Failed to bind mock broker socket"

    @Test(.enabled(if: ProcessInfo.processInfo.environment[Self.childVariable] == nil, "the child runs the scenario only"))
    func allBrokersDownForFiveSecondsWhileProducingLosesNothing() async throws {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0])
        for attempt in 1...3 {
            let run = try await ChildProcess.run(
                bundle, ["--testing-library", "swift-testing", "--filter", "AllBrokersDownTests/outageScenario"],
                environment: [Self.childVariable: "1"]
            )
            let transcript = run.output + "\n" + run.errors
            if run.status == 0 {
                #expect(transcript.contains("outageScenario() passed"), "the child ran the scenario: \(transcript)")
                for line in transcript.split(separator: "\n") where line.contains("all brokers down") { print(line) }
                return
            }
            guard transcript.contains(Self.lostPort) else {
                Issue.record("the scenario failed (exit status \(run.status)):\n\(transcript)")
                return
            }
            print("all brokers down, attempt \(attempt): librdkafka's mock broker lost its port to another socket and aborted; running the scenario again")
        }
        Issue.record("librdkafka's mock broker lost its port in three attempts out of three")
    }

    /// The scenario itself; run only in the child process that the test above starts.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[Self.childVariable] == "1", "run by allBrokersDownForFiveSecondsWhileProducingLosesNothing in a child process"))
    func outageScenario() async throws {
        let total = Reliability.scaled(50_000, soak: 50_000)
        let cluster = try KafkaMockCluster(brokers: 3)
        let topic = "outage"
        try cluster.createTopic(topic, partitions: 12, replicationFactor: 3)
        let producer = try Reliability.producer(cluster) { $0.messageTimeout = .seconds(60) }
        let clock = ContinuousClock()
        let started = clock.now

        var ids: [UInt64: Int] = [:]
        let outage = Task {
            try await Task.sleep(for: .milliseconds(300))
            cluster.setAllBrokersDown()
            try await Task.sleep(for: .seconds(5))
            cluster.setAllBrokersUp()
        }
        for index in 0..<total {
            let id = try await producer.sendAndForget(KafkaProducerRecord(topic: topic, key: "\(index)", value: "\(index)"))
            ids[id] = index
        }
        try await outage.value
        try await producer.flush(timeout: .seconds(90))

        var delivered = Set<Int>()
        var failed: [KafkaError] = []
        var reports = 0
        for await report in producer.deliveryReports {
            reports += 1
            switch report.result {
            case .success: delivered.insert(ids[report.messageID]!)
            case .failure(let error): failed.append(error)
            }
            if reports == total { break }
        }
        await producer.shutdown()
        // Every send accounted for: delivered, or failed with a typed error.
        #expect(reports == total)
        #expect(delivered.count + failed.count == total)

        // Read everything back: each delivered value exactly once (idempotence), nothing else.
        let reader = try Reliability.reader(cluster, topic: topic, partitions: 12)
        var seen: [String: Int] = [:]
        for await message in reader.messages {
            seen[message.valueString ?? "", default: 0] += 1
            if seen.values.reduce(0, +) == delivered.count { break }
        }
        await reader.shutdown()
        let duplicates = seen.values.filter { $0 > 1 }.count
        let lost = delivered.filter { seen["\($0)"] == nil }.count
        #expect(duplicates == 0)
        #expect(lost == 0)
        Reliability.report("all brokers down 5 s while producing", sent: total, handled: seen.count, duplicated: duplicates, lost: lost + failed.count, seconds: (clock.now - started).seconds)
    }
}
