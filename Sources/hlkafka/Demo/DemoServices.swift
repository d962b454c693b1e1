import NIOHTTP1
import AsyncHTTPClient
import Foundation
import Highlight
import HighlightAsyncHTTPClient
import HighlightHummingbird
import HighlightKafka
import HighlightKafkaClient
import HighlightPropagation
import Hummingbird
import Instrumentation
import Logging
import NIOCore
import ServiceLifecycle

/// The demo's HTTP service, the orders API (first hop: it calls the inventory over gRPC and produces to Kafka), and
/// the order worker's handler.
enum DemoServices {
    static let ordersTopic = "orders"
    static let deadLetterTopic = "orders.dlq"

    struct OrderAccepted: ResponseEncodable {
        let orderID: String
        let partition: Int32
        let offset: Int64
    }

    /// What `GET /journeys/{request}` answers: how far a request got, for the demo page.
    struct JourneyAnswer: ResponseEncodable {
        let session: String
        let requestID: String
        let hops: [String]
        let traceIDs: [String]
        let error: String?
        let errorSession: String?
        let done: Bool

        init(_ journey: DemoRecorder.Journey) {
            session = journey.session
            requestID = journey.requestID
            hops = journey.hops
            traceIDs = journey.traceIDs
            error = journey.error
            errorSession = journey.errorSession
            done = journey.reachedTheEnd
        }
    }

    /// The orders API: POST /orders?item=ITEM (it reserves the item with `reserve`, the inventory's gRPC call, and
    /// produces the order to Kafka), and GET /journeys/{request}?wait=SECONDS (how far a request got, once the worker
    /// is done with it or after the wait, at most 30 s). Browsers on an origin `allowedOrigins` accepts may call it.
    static func ordersRouter(
        producer: TracedKafkaProducer,
        reserve: @escaping @Sendable (_ item: String, _ orderID: String) async throws -> Bool,
        recorder: DemoRecorder,
        allowedOrigins: @escaping @Sendable (String) -> Bool
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: HighlightMiddleware(cors: HighlightCORSPolicy(allowedOrigins: .custom(allowedOrigins))))
        router.get("journeys/:request") { request, context -> JourneyAnswer in
            let id = try context.parameters.require("request")
            let wait = request.uri.queryParameters["wait"].flatMap { Int($0) }.map { min(max($0, 0), 30) } ?? 0
            guard let journey = await recorder.journey(id, waitingAtMost: .seconds(wait)) else {
                throw HTTPError(.notFound, message: "no request with this id reached the API")
            }
            return JourneyAnswer(journey)
        }
        router.post("orders") { request, _ -> OrderAccepted in
            recorder.hop("api")
            let item = request.uri.queryParameters["item"].map(String.init) ?? "coffee"
            H.log("order received", metadata: ["item": "\(item)"])
            let orderID = "order-\(UInt32.random(in: 1000...9999))"
            guard try await reserve(item, orderID) else { throw HTTPError(.serviceUnavailable, message: "inventory refused the reservation") }
            let receipt = try await producer.send(KafkaProducerRecord(topic: ordersTopic, key: orderID, value: item))
            recorder.hop("kafka")
            return OrderAccepted(orderID: orderID, partition: receipt.partition, offset: receipt.offset)
        }
        return router
    }

    /// The order worker's handler: logs with H.log; an order for a "broken" item fails.
    static func workerHandler(recorder: DemoRecorder) -> @Sendable (KafkaTracedMessage) async throws -> Void {
        { message in
            recorder.hop("worker")
            H.log("processing order", metadata: ["order": "\(message.message.keyString ?? "-")"])
            if message.message.valueString == "broken" { throw PaymentDeclined(order: message.message.keyString ?? "?") }
            recorder.handled()
        }
    }

    struct PaymentDeclined: Error, CustomStringConvertible {
        let order: String
        var description: String { "payment declined for \(order)" }
    }

    /// Starts Hummingbird applications on loopback as one service group, returning each one's port once all listen.
    /// Shut them down with the group's `triggerGracefulShutdown()`.
    static func start(_ routers: [(name: String, router: Router<BasicRequestContext>, port: Int)]) async throws -> (ports: [Int], group: ServiceGroup, task: Task<Void, any Error>) {
        let (ports, continuation) = AsyncStream.makeStream(of: (Int, Int).self)
        var applications: [ServiceGroupConfiguration.ServiceConfiguration] = []
        for (index, entry) in routers.enumerated() {
            var logger = Logger(label: entry.name)
            logger.logLevel = .warning
            let app = Application(
                router: entry.router,
                configuration: .init(address: .hostname("127.0.0.1", port: entry.port), serverName: entry.name),
                onServerRunning: { channel in continuation.yield((index, channel.localAddress?.port ?? 0)) },
                logger: logger
            )
            applications.append(.init(service: app))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: applications, logger: Telemetry.quietLogger))
        let task = Task {
            // A server that cannot bind ends the group: the wait for ports below then ends too, instead of forever.
            defer { continuation.finish() }
            try await group.run()
        }
        var bound = [Int](repeating: 0, count: routers.count)
        var iterator = ports.makeAsyncIterator()
        for _ in routers {
            guard let (index, port) = await iterator.next(), port > 0 else {
                let reason: String
                if case .failure(let error) = await task.result { reason = "\(error)" } else { reason = "it stopped at once" }
                let wanted = routers.filter { $0.port != 0 }.map { "\($0.name) on 127.0.0.1:\($0.port)" }
                throw DemoFailure(
                    "an HTTP server of the demo could not start (\(reason))"
                        + (wanted.isEmpty ? "" : ". Is the port in use? Asked for: \(wanted.joined(separator: ", ")); choose others with --port and --page-port (--port 0 and --page-port 0 pick free ones)")
                )
            }
            bound[index] = port
        }
        return (bound, group, task)
    }
}

struct DemoFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
