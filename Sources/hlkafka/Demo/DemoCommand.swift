import Synchronization
import HighlightSynchronization
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Highlight
import HighlightKafka
import HighlightKafkaClient
import HighlightKafkaTesting
import HighlightPropagation
import Logging
import ServiceLifecycle
import UnixSignals

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The whole fullstack mapping in one process: browser → API → inventory → Kafka → worker, with one linked error.",
        discussion: """
            Starts the embedded Kafka mock cluster, the orders API and the inventory service (Hummingbird, loopback), \
            and an order worker consuming through the context-restoring wrapper; then a simulated browser sends \
            requests with x-highlight-request (and traceparent for some). Telemetry goes to the OTLP endpoint when \
            HIGHLIGHT_PROJECT_ID or OTEL_EXPORTER_OTLP_ENDPOINT is set, and is printed otherwise.
            With --serve the API and worker keep running until SIGTERM so you can send requests with curl.

            Examples:
              $ hlkafka demo
              $ hlkafka demo --serve --port 8080
            """
    )

    @Flag(name: .long, help: "Keep the API and the worker running (until SIGINT/SIGTERM) instead of simulating a browser.")
    var serve = false

    @Option(name: .long, help: "The API's port with --serve (0 picks a free one).")
    var port = 8080

    func run() async throws {
        let exporting = Telemetry.exporting
        var options = Highlight.Options(serviceName: "hlkafka-demo")
        options.export = exporting ? .otlp : .console
        options.bootstrapLogging = false
        options.exportBatchDelay = .milliseconds(200)
        let telemetry = try Highlight.bootstrap(options)
        let serve = self.serve
        let port = self.port
        try await CommandGroup.run(services: [telemetry]) { try await Self.runDemo(serve: serve, port: port, exporting: exporting) }
        if let failure = DemoOutcome.failure.withLock({ $0 }) { throw failure }
    }

    static func progress(_ message: String) {
        FileHandle.standardOutput.write(Data("==> \(message)\n".utf8))
    }

    static func runDemo(serve: Bool, port: Int, exporting: Bool) async throws {
        let started = ContinuousClock.now
        progress("starting the embedded Kafka (librdkafka mock cluster)")
        let cluster = try KafkaMockCluster(brokers: 1)
        try cluster.createTopic(DemoServices.ordersTopic, partitions: 2)
        try cluster.createTopic(DemoServices.deadLetterTopic, partitions: 1)
        let bootstrapServers = [cluster.bootstrapServers]
        let recorder = DemoRecorder()

        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: bootstrapServers, clientID: "orders-api")
        producerConfiguration.linger = .milliseconds(1)
        let producer = try TracedKafkaProducer(configuration: producerConfiguration, logger: Telemetry.quietLogger)

        progress("starting the inventory service and the orders API on loopback")
        let inventoryPort = InventoryPort()
        let servers = try await DemoServices.start([
            ("inventory", DemoServices.inventoryRouter(recorder: recorder), 0),
            ("orders-api", DemoServices.ordersRouter(producer: producer, inventoryURL: { "http://127.0.0.1:\(inventoryPort.value)" }, recorder: recorder), serve ? port : 0),
        ])
        inventoryPort.value = servers.ports[0]
        let apiPort = servers.ports[1]

        progress("starting the order worker (consumer group order-workers)")
        var consumerConfiguration = KafkaConsumerConfiguration(
            bootstrapServers: bootstrapServers,
            subscription: .group(id: "order-workers", topics: [DemoServices.ordersTopic]),
            clientID: "order-worker"
        )
        consumerConfiguration.sessionTimeout = .seconds(6)
        let worker = try TracedKafkaConsumer(
            configuration: consumerConfiguration,
            tracing: TracedKafkaConsumer.Configuration(
                errorPolicy: .deadLetter(topic: DemoServices.deadLetterTopic),
                errorReporter: { failure in
                    recorder.error("\(failure.error)")
                    H.consumeError(failure.error, metadata: ["order": failure.message.keyString ?? "-"])
                }
            ),
            logger: Telemetry.quietLogger
        )
        let workerTask = Task { try await worker.run(DemoServices.workerHandler(recorder: recorder)) }

        if serve {
            progress("serving: the orders API listens on http://127.0.0.1:\(apiPort); press Ctrl-C to stop")
            progress(#"try: curl -X POST -H 'x-highlight-request: mySession/myRequest' 'http://127.0.0.1:\#(apiPort)/orders?item=broken'"#)
            try? await gracefulShutdown()
        } else {
            progress("simulated browser: sending 4 requests to http://127.0.0.1:\(apiPort)/orders")
            try await DemoBrowser.run(apiURL: "http://127.0.0.1:\(apiPort)", recorder: recorder)
            progress("waiting for the worker to handle the 4 orders")
            if !(await recorder.waitForWorker(count: 4, atMost: .seconds(45))) {
                progress("the worker did not reach all 4 orders within 45 s; the summary shows how far each got")
            }
        }

        progress("shutting down (flushing Kafka and telemetry)")
        worker.triggerShutdown()
        _ = try? await workerTask.value
        await producer.shutdown()
        await servers.group.triggerGracefulShutdown()
        _ = try? await servers.task.value
        Highlight.flush()
        withExtendedLifetime(cluster) {}

        if !serve {
            let summary = DemoSummary(journeys: recorder.all, exporting: exporting)
            FileHandle.standardOutput.write(Data(summary.table.utf8))
            progress("finished in \(String(format: "%.1f", (ContinuousClock.now - started).seconds)) s")
            if let problem = summary.problem { DemoOutcome.failure.withLock { $0 = DemoFailure(problem) } }
        }
    }
}

/// The inventory service's port, known once it listens (the API's handler reads it per request).
final class InventoryPort: Sendable {
    private let port = Atomic<Int>(0)
    var value: Int {
        get { port.load(ordering: .acquiring) }
        set { port.store(newValue, ordering: .releasing) }
    }
}

/// The demo's result, read after the service group ends.
enum DemoOutcome {
    static let failure = Locked<DemoFailure?>(nil)
}
