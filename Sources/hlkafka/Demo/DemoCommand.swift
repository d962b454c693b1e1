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
        abstract: "The whole fullstack mapping in one process: browser → API → inventory (gRPC) → Kafka → worker, with one linked error.",
        discussion: """
            Starts the embedded Kafka mock cluster, the orders API (Hummingbird) and the inventory service (gRPC, \
            demo.Inventory/Reserve) on loopback, \
            and an order worker consuming through the context-restoring wrapper; then a simulated browser sends \
            requests with x-highlight-request (and traceparent for some). Telemetry goes to the OTLP endpoint when \
            HIGHLIGHT_PROJECT_ID or OTEL_EXPORTER_OTLP_ENDPOINT is set, and is printed otherwise.
            With --serve the API and worker keep running until SIGTERM, and a demo page on a second origin \
            (--page-port) sends orders from your browser, cross-origin, as highlight's browser SDK does; the API \
            allows that origin only. curl works too, and any gRPC client can call the inventory (--grpc-port).

            Examples:
              $ hlkafka demo
              $ hlkafka demo --serve --port 8080 --page-port 8081
              $ hlkafka demo --serve --port 0 --page-port 0 --grpc-port 0
            """
    )

    @Flag(name: .long, help: "Keep the API and the worker running (until SIGINT/SIGTERM) instead of simulating a browser.")
    var serve = false

    @Option(name: .long, help: "The API's port with --serve (0 picks a free one).")
    var port = 8080

    @Option(name: .long, help: "The demo page's port with --serve: a second origin (0 picks a free one).")
    var pagePort = 8081

    @Option(name: .long, help: "The inventory's gRPC port with --serve (0 picks a free one).")
    var grpcPort = 50051

    func run() async throws {
        let exporting = Telemetry.exporting
        var options = Highlight.Options(serviceName: "hlkafka-demo")
        options.export = exporting ? .otlp : .console
        options.bootstrapLogging = false
        options.exportBatchDelay = .milliseconds(200)
        let telemetry = try Highlight.bootstrap(options)
        let serve = self.serve
        let ports = Ports(api: port, page: pagePort, grpc: grpcPort)
        try await CommandGroup.run(services: [telemetry]) { try await Self.runDemo(serve: serve, ports: ports, exporting: exporting) }
        if let failure = DemoOutcome.failure.withLock({ $0 }) { throw failure }
    }

    static func progress(_ message: String) {
        FileHandle.standardOutput.write(Data("==> \(message)\n".utf8))
    }

    /// The ports `--serve` listens on.
    struct Ports: Sendable {
        var api: Int
        var page: Int
        var grpc: Int
    }

    static func runDemo(serve: Bool, ports: Ports, exporting: Bool) async throws {
        let started = ContinuousClock.now
        progress("starting the embedded Kafka (librdkafka mock cluster)")
        let cluster = try KafkaMockCluster(brokers: 1)
        try cluster.createTopic(DemoServices.ordersTopic, partitions: 2)
        try cluster.createTopic(DemoServices.deadLetterTopic, partitions: 1)
        let bootstrapServers = [cluster.bootstrapServers]
        let recorder = DemoRecorder(narrating: serve)

        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: bootstrapServers, clientID: "orders-api")
        producerConfiguration.linger = .milliseconds(1)
        let producer = try TracedKafkaProducer(configuration: producerConfiguration, logger: Telemetry.quietLogger)

        progress("starting the inventory (gRPC) and the orders API on loopback" + (serve ? ", and the demo page" : ""))
        try await InventoryService.serving(recorder: recorder, port: serve ? ports.grpc : 0) { reserve, grpcPort in
            try await runServices(
                serve: serve, ports: ports, grpcPort: grpcPort, reserve: reserve, bootstrapServers: bootstrapServers, producer: producer,
                recorder: recorder
            )
        }
        withExtendedLifetime(cluster) {}

        if !serve {
            let summary = DemoSummary(journeys: recorder.all, exporting: exporting)
            FileHandle.standardOutput.write(Data(summary.table.utf8))
            progress("finished in \(String(format: "%.1f", (ContinuousClock.now - started).seconds)) s")
            if let problem = summary.problem { DemoOutcome.failure.withLock { $0 = DemoFailure(problem) } }
        }
    }

    /// The orders API (and the demo page) over HTTP and the order worker, until the simulated browser is done or,
    /// with `--serve`, until SIGINT/SIGTERM; then everything is shut down and flushed.
    static func runServices(
        serve: Bool, ports: Ports, grpcPort: Int, reserve: @escaping @Sendable (String, String) async throws -> Bool,
        bootstrapServers: [String], producer: TracedKafkaProducer, recorder: DemoRecorder
    ) async throws {
        let pagePort = BoundPort()
        // The API allows the browser origins that send it orders: the demo page's (known once it listens), or the
        // simulated browser's.
        let allowedOrigins: @Sendable (String) -> Bool = { origin in
            serve ? ["http://127.0.0.1:\(pagePort.value)", "http://localhost:\(pagePort.value)"].contains(origin) : origin == DemoBrowser.origin
        }
        let orders = DemoServices.ordersRouter(producer: producer, reserve: reserve, recorder: recorder, allowedOrigins: allowedOrigins)
        let apiPort = BoundPort()
        var routers = [("orders-api", orders, serve ? ports.api : 0)]
        if serve { routers.append(("demo-page", DemoPage.router(apiPort: { apiPort.value }), ports.page)) }
        let servers = try await DemoServices.start(routers)
        apiPort.value = servers.ports[0]
        if serve { pagePort.value = servers.ports[1] }

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
            progress("serving: the orders API listens on http://127.0.0.1:\(apiPort.value); press Ctrl-C to stop")
            progress("the inventory's gRPC service (demo.Inventory/Reserve) listens on 127.0.0.1:\(grpcPort)")
            progress("open the demo page (a second origin, the only one the API allows): http://127.0.0.1:\(pagePort.value)/")
            progress(#"or try: curl -X POST -H 'x-highlight-request: mySession/myRequest' 'http://127.0.0.1:\#(apiPort.value)/orders?item=broken'"#)
            try? await gracefulShutdown()
        } else {
            progress("simulated browser: sending 4 requests to http://127.0.0.1:\(apiPort.value)/orders")
            try await DemoBrowser.run(apiURL: "http://127.0.0.1:\(apiPort.value)", recorder: recorder)
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
    }
}

/// A server's port, known once it listens (read per request by what starts before it).
final class BoundPort: Sendable {
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
