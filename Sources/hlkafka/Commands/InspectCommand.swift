import ArgumentParser
import Foundation
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import W3CTraceContext

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Report how much of a topic carries the highlight session and trace context.",
        discussion: """
            Reads without joining a group or committing. Reports, per partition and in total, messages read and the \
            share carrying x-highlight-request, traceparent, and a baggage member with the session; malformed values \
            (a few examples, truncated); distinct sessions. With --require-coverage it exits 1 when fewer messages \
            than that percentage carry a valid session, so teams can run it in CI.

            Examples:
              $ hlkafka inspect -t orders
              $ hlkafka inspect -b 127.0.0.1:9092 -t orders --last 1000 --json
              $ hlkafka inspect -t orders --require-coverage 95
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, parsing: .unconditional, help: "Read at most this many messages in total.")
    var max: Int?

    @Flag(name: .long, help: "Read each partition from its oldest message: what inspect does without --last (accepted as kafka-console-consumer spells it).")
    var fromBeginning = false

    @Option(name: .long, parsing: .unconditional, help: "Read only the last N messages of each partition.")
    var last: Int64?

    @Option(name: .long, help: "Exit 1 when fewer than this percentage of messages carry a valid session.")
    var requireCoverage: Double?

    func validate() throws {
        if fromBeginning && last != nil { throw ValidationError("--from-beginning and --last exclude each other") }
        if let last, last <= 0 { throw ValidationError("--last must be positive") }
        if let max, max <= 0 { throw ValidationError("--max must be positive") }
        if let requireCoverage, !(0...100).contains(requireCoverage) { throw ValidationError("--require-coverage takes a percentage, 0 to 100") }
    }

    func run() async throws {
        guard case .found(let partitions, let admin) = try await ClusterCheck.topic(connection, command: "inspect") else {
            Output.progress("hlkafka inspect: topic \(connection.topic) does not exist at \(connection.servers.joined(separator: ",")) (nothing was created)")
            throw ExitCode(1)
        }
        var positions: [KafkaTopicPartitionOffset] = []
        var ends: [Int32: Int64] = [:]
        var toRead = 0
        for partition in partitions {
            let (low, high) = try await admin.watermarks(topic: connection.topic, partition: partition)
            let start = last.map { Swift.max(low, high - $0) } ?? low
            ends[partition] = high
            if high > start {
                positions.append(KafkaTopicPartitionOffset(topic: connection.topic, partition: partition, offset: start))
                toRead += Int(high - start)
            }
        }
        if let max { toRead = Swift.min(toRead, max) }
        Output.progress("hlkafka inspect: \(connection.topic) has \(partitions.count) partition(s); reading \(toRead) message(s)")

        var report = InspectReport(topic: connection.topic, partitions: partitions)
        if toRead > 0 {
            var configuration = KafkaConsumerConfiguration(bootstrapServers: connection.servers, subscription: .assignment(positions), clientID: "hlkafka-inspect")
            configuration.additionalProperties["enable.auto.commit"] = "false"
            let consumer = try KafkaConsumer(configuration: configuration, logger: Telemetry.quietLogger)
            var remaining = Set(positions.map(\.topicPartition.partition))
            for await message in consumer.messages {
                report.add(message)
                if report.total.messages % 10_000 == 0 { Output.progress("hlkafka inspect: \(report.total.messages) of \(toRead) read") }
                if message.offset + 1 >= ends[message.partition] ?? 0 { remaining.remove(message.partition) }
                if remaining.isEmpty || report.total.messages >= toRead { break }
            }
            await consumer.shutdown()
        }

        let output = Output(json: connection.json)
        output.emit(report.json(requiredCoverage: requireCoverage), text: report.text(requiredCoverage: requireCoverage))
        if let requireCoverage, report.coveragePercent < requireCoverage {
            Output.progress("hlkafka inspect: session coverage \(report.formattedCoverage)% is below the required \(requireCoverage)%")
            throw ExitCode(1)
        }
    }
}
