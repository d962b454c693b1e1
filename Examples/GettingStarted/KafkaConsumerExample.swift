// Getting started, step 4: a worker whose errors show up on the user's session replay (README, DocC "Getting started with Kafka").
import Highlight
import HighlightKafka
import HighlightKafkaClient
import Logging
import ServiceLifecycle
import UnixSignals

func runOrderWorker() async throws {
    let telemetry = try H.bootstrap(.init(projectID: "<your highlight project id>", serviceName: "order-worker"))
    let consumer = try TracedKafkaConsumer(
        configuration: .init(bootstrapServers: ["localhost:9092"], subscription: .group(id: "order-workers", topics: ["orders"])),
        tracing: .init(
            errorPolicy: .retry(attempts: 3, then: .deadLetter(topic: "orders.dlq")),
            errorReporter: { failure in H.consumeError(failure.error) }  // once per failure, linked to the session
        )
    )
    let worker = OrderWorker(consumer: consumer)
    let group = ServiceGroup(configuration: .init(
        services: [
            .init(service: telemetry),
            // If the worker stops on an error, the group shuts down gracefully and telemetry sends that error first.
            .init(service: worker, failureTerminationBehavior: .gracefullyShutdownGroup),
        ],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: Logger(label: "order-worker")
    ))
    try await group.run()  // rethrows the worker's error once telemetry is sent
}

struct OrderWorker: Service {
    let consumer: TracedKafkaConsumer

    func run() async throws {
        try await consumer.run { message in
            H.log("charging order \(message.message.keyString ?? "?")")
            try await charge(message.message)
        }
    }
}

func charge(_ message: KafkaConsumerMessage) async throws {}
