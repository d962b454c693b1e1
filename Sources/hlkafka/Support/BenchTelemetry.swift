import ArgumentParser
import Foundation
import Highlight
import HighlightPropagation
import HighlightTracing
import Hummingbird
import Instrumentation
import Logging
#if SWIFT_OTEL
import OTel
#endif
import ServiceLifecycle
import Synchronization
import HighlightSynchronization
import UnixSignals

/// The tracer `hlkafka bench` measures in its traced mode.
enum BenchTracer: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// This package's tracer (what `H.bootstrap` sets up).
    case highlight
    /// swift-otel's, composed with the propagator, for comparison.
    case otel
}

/// Sets up the bench's telemetry and runs the bench next to it.
///
/// - `highlight` without `--export`: spans are recorded into the tracer's queue and taken from it once per batch,
///   as the exporter takes them, then discarded: the tracer's own cost.
/// - `highlight --export`: the facade's whole pipeline (`H.bootstrap`) sends every span over OTLP/HTTP (protobuf,
///   gzip) to a receiver in this process on loopback, which answers 200 and counts; the spans exported and dropped
///   are printed at the end.
/// - `otel`: swift-otel's tracer with no exporter (its span pipeline runs; nothing is sent).
enum BenchTelemetry {
    static func run(tracer: BenchTracer, export: Bool, _ body: @escaping @Sendable () async throws -> Void) async throws {
        var services: [any Service] = []
        var receiver: BenchReceiver?
        switch (tracer, export) {
        case (.highlight, false):
            let drain = BatchDrain()
            let queue = TelemetryQueue<HighlightSpan>(capacity: 10_000, batchSize: 512) { drain.batchReady() }
            drain.queue.withLock { $0 = queue }
            InstrumentationSystem.bootstrap(HighlightTracer(queue: queue))
            services.append(drain)
        case (.highlight, true):
            let started = try await BenchReceiver.start()
            receiver = started
            var options = Highlight.Options(projectID: "bench", serviceName: "hlkafka-bench")
            options.otlpEndpoint = "http://127.0.0.1:\(started.port)"
            options.bootstrapLogging = false
            options.shutdownTimeout = .seconds(30)
            services.append(try Highlight.bootstrap(options, environment: [:]))
        case (.otel, _):
            #if SWIFT_OTEL
            if export { throw ValidationError("--export goes with --tracer highlight") }
            var configuration = OTel.Configuration.default
            configuration.serviceName = "hlkafka-bench"
            configuration.traces.exporter = .none
            configuration.metrics.enabled = false
            configuration.logs.enabled = false
            configuration.diagnosticLogger = .custom(Telemetry.quietLogger)
            configuration.diagnosticLogLevel = .error
            let (otelTracer, service) = try OTel.makeTracingBackend(configuration: configuration)
            InstrumentationSystem.bootstrap(HighlightPropagator().combined(with: otelTracer))
            services.append(service)
            #else
            throw ValidationError("this hlkafka was built without swift-otel (HIGHLIGHT_WITHOUT_SWIFT_OTEL, as make sanitize does)")
            #endif
        }
        do {
            try await CommandGroup.run(services: services, body: body)
        } catch {
            await receiver?.stop()
            throw error
        }
        if let receiver {
            await receiver.stop()
            let statistics = Highlight.statistics
            Output.progress(
                "hlkafka bench: export: \(statistics.spansExported) spans exported, \(statistics.spansDropped) dropped, \(statistics.exportsFailed) failed requests; the receiver got \(receiver.requests) requests, \(receiver.bytes) bytes"
            )
        }
    }
}

/// Takes the tracer's queue once per batch and discards what it took: what the exporter does, less encoding and
/// sending.
final class BatchDrain: Service, Sendable {
    let queue = Locked<TelemetryQueue<HighlightSpan>?>(nil)
    private let batches: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (batches, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func batchReady() {
        continuation.yield()
    }

    func run() async throws {
        let queue = self.queue.withLock { $0 }
        await withGracefulShutdownHandler {
            // One array, as the exporter keeps one (`TelemetryQueue.takeAll(into:)`): emptied at each take.
            var batch: [HighlightSpan] = []
            for await _ in batches {
                queue?.takeAll(into: &batch)
                batch.removeAll(keepingCapacity: true)
            }
        } onGracefulShutdown: {
            self.continuation.finish()
        }
        _ = queue?.takeAll()
    }
}

/// An OTLP/HTTP receiver on loopback that accepts everything and counts requests and bytes. It runs on a task of
/// its own from ``start()`` until ``stop()``, which awaits it.
struct BenchReceiver: Sendable {
    final class Counts: Sendable {
        let requests = Atomic(0)
        let bytes = Atomic(0)
    }

    let port: Int
    private let counts: Counts
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var requests: Int { counts.requests.load(ordering: .relaxed) }
    var bytes: Int { counts.bytes.load(ordering: .relaxed) }

    static func start() async throws -> BenchReceiver {
        let counts = Counts()
        let router = Router()
        for path in ["/v1/traces", "/v1/logs"] {
            router.post(RouterPath(path)) { request, _ -> HTTPResponse.Status in
                let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
                counts.requests.add(1, ordering: .relaxed)
                counts.bytes.add(body.readableBytes, ordering: .relaxed)
                return .ok
            }
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: Telemetry.quietLogger
        )
        // Stopped by a graceful shutdown: cancelled, the server logged its open connections' cancellation as errors
        // at the end of every `bench --export` run.
        let group = ServiceGroup(services: [application], gracefulShutdownSignals: [], logger: Telemetry.quietLogger)
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw ValidationError("hlkafka bench --export: the local OTLP receiver did not start")
        }
        return BenchReceiver(port: port, counts: counts, group: group, task: task)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
