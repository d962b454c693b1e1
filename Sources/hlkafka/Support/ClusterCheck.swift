import ArgumentParser
import HighlightKafkaClient

/// The check a command makes before it produces, consumes or inspects: that a broker answers at all, so an
/// unreachable cluster fails in `--timeout` seconds with a hint (exit 69, EX_UNAVAILABLE) instead of after
/// librdkafka's 30-second message timeout, or never.
enum ClusterCheck {
    /// EX_UNAVAILABLE (sysexits.h): the cluster did not answer.
    static let unavailable: Int32 = 69

    enum Topic {
        /// The topic's partitions, and the administrator that asked (for a command's further questions).
        case found(partitions: [Int32], admin: KafkaTopicAdministrator)
        case missing
    }

    /// Asks the cluster for its topics; a missing topic is an answer, no answer within `timeout` exits 69.
    static func topic(_ connection: ConnectionOptions, command: String) async throws -> Topic {
        let servers = connection.servers.joined(separator: ",")
        do {
            // librdkafka's own connection errors would repeat on stderr what the sentence below says.
            let admin = try KafkaTopicAdministrator(bootstrapServers: connection.servers, additionalProperties: ["log_level": "0"])
            return .found(partitions: try await admin.partitions(of: connection.topic, timeout: .seconds(connection.timeout)), admin: admin)
        } catch where error.code == .unknownTopicOrPartition {
            return .missing
        } catch {
            Output.progress(
                "hlkafka \(command): no Kafka broker answered at \(servers) within \(connection.timeout) s (\(error.code.name)). "
                    + "Is the cluster running and the address right? For a local one: hlkafka mock-cluster --topic \(connection.topic):3"
            )
            throw ExitCode(unavailable)
        }
    }
}
