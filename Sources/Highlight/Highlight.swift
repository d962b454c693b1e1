import AsyncHTTPClient
import Foundation
import HighlightPropagation
import Instrumentation
public import Logging
import HighlightTracing
import HighlightSynchronization
import Tracing
import Synchronization

/// The names highlight's other SDKs use: `H.init` becomes ``Highlight/bootstrap(_:environment:)``,
/// `H.consumeError` and `H.log` keep theirs.
public typealias H = Highlight

/// Reports errors and logs to a highlight-compatible OTLP backend, linked to the frontend session in
/// `ServiceContext.current` (restored by the Kafka consumer or the HTTP middleware of this package).
///
/// ```swift
/// let telemetry = try H.bootstrap(.init(projectID: "abc123", serviceName: "orders-worker"))
/// // run `telemetry` in your ServiceGroup, then anywhere:
/// H.log("charging card", metadata: ["order": "42"])
/// H.consumeError(error)   // exported once, with highlight.session_id of the current session
/// ```
public enum Highlight {
    struct State: Sendable {
        let resolved: Resolved
        let tracer: HighlightTracer
        let logger: Logger
        let exporter: TelemetryExporter?
        let promptExport: PromptExportGate?
    }

    private static let state = Locked<State?>(nil)
    static let counters = HighlightCounters()

    /// Sets up export (this package's span pipeline and OTLP/HTTP exporter), bootstraps `InstrumentationSystem` with
    /// a `HighlightTracer` (which propagates as `HighlightPropagator` does) and, unless
    /// ``Options/bootstrapLogging`` is off, `LoggingSystem` with the highlight metadata provider; returns the service
    /// that exports: run it in your `ServiceGroup`.
    ///
    /// Call it once per process, like `InstrumentationSystem.bootstrap`. To use swift-otel instead, bootstrap it
    /// yourself with `HighlightPropagator().combined(with: otelTracer)` (see the README).
    ///
    /// - Parameters:
    ///   - options: the project, the service, the endpoint and the pipeline's settings.
    ///   - environment: the variables read for `HIGHLIGHT_*` and `OTEL_*` settings; `nil` reads the process's.
    /// - Returns: the service that exports until its group shuts down, then sends what is queued.
    /// - Throws: nothing today (an invalid endpoint is reported by the first export); declared so that a refused option can
    ///   fail here in a later version without breaking callers.
    public static func bootstrap(
        _ options: Options = Options(),
        environment: [String: String]? = nil
    ) throws -> HighlightService {
        let environment = environment ?? ProcessInfo.processInfo.environment
        let resolved = options.resolved(environment: environment)
        let exporter = options.export == .otlp ? makeExporter(resolved) : nil

        var tracing = HighlightTracer.Configuration(sampler: resolved.sampler)
        if let debug = resolved.debugLogger { tracing.propagation.logger = debug }
        let tracer = HighlightTracer(configuration: tracing, queue: exporter?.spans, flush: { exporter?.requestExport() })
        InstrumentationSystem.bootstrap(tracer)

        let counters = self.counters
        let printOnly = options.export == .console
        let makeHandler: @Sendable (String) -> any LogHandler = { label in
            let base: any LogHandler
            if let exporter {
                base = OTLPLogHandler(queue: exporter.logs)
            } else {
                // Console export prints records; disabled export drops them (the console copy below still prints).
                base = printOnly ? StreamLogHandler.standardOutput(label: label) : SwiftLogNoOpLogHandler(label)
            }
            return HighlightLogHandler(base: base, counters: counters)
        }
        if options.bootstrapLogging {
            LoggingSystem.bootstrap(
                { label, provider in
                    var exported = makeHandler(label)
                    exported.metadataProvider = provider
                    if printOnly { return exported }
                    // Keep a console copy of what is exported, as plain swift-log would print it.
                    var console = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                    console.logLevel = .info
                    return MultiplexLogHandler([console, exported])
                },
                metadataProvider: metadataProvider
            )
        }
        var logger = Logger(label: "highlight", factory: { label in makeHandler(label) })
        logger.handler.metadataProvider = metadataProvider
        logger.logLevel = .trace
        let promptExport = options.promptErrorExportInterval.map(PromptExportGate.init(interval:))
        state.withLock { $0 = State(resolved: resolved, tracer: tracer, logger: logger, exporter: exporter, promptExport: promptExport) }
        // After logging is bootstrapped, so that the warnings are exported as well as printed.
        for warning in resolved.warnings {
            Logger(label: "highlight").warning("Highlight setting not taken as given: \(warning)")
        }
        resolved.debugLogger?.debug(
            "Highlight bootstrapped",
            metadata: ["endpoint": "\(resolved.endpoint)", "export": "\(options.export)", "project": "\(resolved.projectID ?? "-")"]
        )
        return HighlightService(exporter: exporter, shutdownTimeout: resolved.shutdownTimeout)
    }

    /// A log handler exporting to highlight, for applications that bootstrap `LoggingSystem` themselves.
    ///
    /// - Parameter label: the logger's label.
    /// - Returns: a handler that writes OTLP log records with the session of `ServiceContext.current`; before
    ///   ``bootstrap(_:environment:)`` its records are dropped and counted.
    public static func logHandler(label: String) -> any LogHandler {
        var handler = state.withLock { $0 }?.logger.handler ?? StreamLogHandler.standardError(label: label)
        handler.metadataProvider = metadataProvider
        return handler
    }

    /// Whether ``bootstrap(_:environment:)`` has run: the framework middlewares report errors through
    /// ``consumeError(_:secureSessionID:requestID:metadata:file:function:line:)`` only then.
    package static var isBootstrapped: Bool { state.withLock { $0 != nil } }

    /// Counters of reported errors and logs and failed exports.
    public static var statistics: HighlightStatistics { counters.snapshot }

    /// Returns once ``HighlightStatistics/exportsFailed`` is at least `count`, or when the task is cancelled: what a
    /// test of a failing backend waits on instead of reading the statistics in a loop.
    package static func waitForFailedExports(atLeast count: Int) async {
        await counters.failedExports.wait(untilAtLeast: count)
    }

    /// Sends the spans (so the errors) and log records queued now, without waiting for the batch delay. Never waits:
    /// the export runs on the exporter's task.
    public static func flush() {
        state.withLock { $0 }?.exporter?.requestExport()
    }

    // MARK: Errors

    /// Reports `error` once, linked to a session.
    ///
    /// With no ids given, the session and request come from `ServiceContext.current` (what the Kafka consumer or the
    /// HTTP middleware restored). Outside any context the error is still exported, at project level. It becomes one
    /// `exception` span event with `exception.type` (the Swift type's full name), a non-empty `exception.message`,
    /// `exception.stacktrace` (the call stack here), plus `highlight.session_id`, `highlight.trace_id` and
    /// `highlight.project_id`.
    ///
    /// Never blocks on the network: the span waits in a bounded queue, and is sent at once unless another error was
    /// within ``Options/promptErrorExportInterval``.
    ///
    /// - Parameters:
    ///   - error: the error; its type and description are exported.
    ///   - secureSessionID: the session to link to; `nil` takes the current context's.
    ///   - requestID: the request to link to; `nil` takes the current context's.
    ///   - metadata: extra attributes of the event.
    ///   - file: the calling file, filled in for you.
    ///   - function: the calling function, filled in for you.
    ///   - line: the calling line, filled in for you.
    public static func consumeError(
        _ error: any Error,
        secureSessionID: String? = nil,
        requestID: String? = nil,
        metadata: [String: String] = [:],
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        guard let state = state.withLock({ $0 }) else {
            counters.droppedErrors.increment()
            Logger(label: "highlight").warning(
                "Highlight.consumeError called before Highlight.bootstrap: the error is not exported",
                metadata: ["error.type": "\(String(reflecting: type(of: error)))"]
            )
            return
        }
        let context = ServiceContext.current ?? .topLevel
        let session = secureSessionID ?? context.highlightRequest?.sessionSecureID
        let request = requestID ?? (secureSessionID == nil ? context.highlightRequest?.requestID : nil)
        let span = state.tracer.startSpan("highlight.error", context: context, ofKind: .internal)
        span.updateAttributes { attributes in
            if let session { attributes[HighlightAttribute.sessionID] = session }
            if let request { attributes[HighlightAttribute.traceID] = request }
            if let project = state.resolved.projectID { attributes[HighlightAttribute.projectID] = project }
            attributes["code.filepath"] = file
            attributes["code.function"] = function
            attributes["code.lineno"] = Int(line)
            for (key, value) in metadata { attributes[key] = value }
        }
        let exception = exceptionAttributes(error)
        span.addEvent(SpanEvent(name: "exception", attributes: exception))
        if state.resolved.options.export == .console {
            var printed: Logger.Metadata = [:]
            if let session { printed[HighlightAttribute.sessionID] = .string(session) }
            if let request { printed[HighlightAttribute.traceID] = .string(request) }
            exception.forEach { key, value in
                guard key != "exception.stacktrace" else { return }
                // The text itself, not the enum case around it (`string("...")`).
                if case .string(let text) = value.toSpanAttribute() { printed[key] = .string(text) } else { printed[key] = .string("\(value)") }
            }
            state.logger.error("exception", metadata: printed, file: file, function: function, line: line)
        }
        span.setStatus(SpanStatus(code: .error, message: String(describing: error)))
        span.end()
        counters.errors.increment()
        // The error may be the last thing this process does: send it now rather than at the next batch.
        if let exporter = state.exporter, let gate = state.promptExport, gate.shouldExport() { exporter.requestExport() }
        state.resolved.debugLogger?.debug(
            "Error recorded",
            metadata: ["type": "\(String(reflecting: type(of: error)))", "linked_to_session": "\(session != nil)"]
        )
    }

    /// The OTel exception attributes of `error`; the message is never empty.
    static func exceptionAttributes(_ error: any Error) -> SpanAttributes {
        let type = String(reflecting: Swift.type(of: error))
        var message = String(describing: error)
        if message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { message = type }
        var attributes = SpanAttributes()
        attributes["exception.type"] = type
        attributes["exception.message"] = message
        attributes["exception.stacktrace"] = Thread.callStackSymbols.dropFirst(2).joined(separator: "\n")
        return attributes
    }

    // MARK: Logs

    /// Writes an OTLP log record with highlight's severity text, the session attributes of `ServiceContext.current`
    /// and the calling code's location. Never blocks on the network.
    ///
    /// - Parameters:
    ///   - message: the log line.
    ///   - level: its severity.
    ///   - metadata: extra attributes of the record.
    ///   - file: the calling file, filled in for you.
    ///   - function: the calling function, filled in for you.
    ///   - line: the calling line, filled in for you.
    public static func log(
        _ message: String,
        level: Logger.Level = .info,
        metadata: Logger.Metadata = [:],
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        let logger = state.withLock { $0 }?.logger ?? fallbackLogger
        logger.log(level: level, "\(message)", metadata: metadata, file: file, function: function, line: line)
    }

    private static let fallbackLogger: Logger = {
        var logger = Logger(label: "highlight")
        logger.handler.metadataProvider = metadataProvider
        return logger
    }()

    // MARK: Configuration

    static func makeExporter(_ resolved: Resolved) -> TelemetryExporter {
        var resource: [(key: String, value: String)] = [
            ("service.name", resolved.serviceName),
            ("telemetry.distro.name", "swift-highlight-propagation"),
            ("telemetry.distro.version", HighlightVersion.current),
            ("telemetry.sdk.language", "swift"),
        ]
        if let project = resolved.projectID { resource.append((HighlightAttribute.projectID, project)) }
        if let version = resolved.serviceVersion { resource.append(("service.version", version)) }
        if let environment = resolved.environment { resource.append(("deployment.environment", environment)) }
        let protobuf = resolved.otlpProtocol != .httpJSON
        let sender = OTLPHTTPSender(
            client: .shared,
            endpoint: resolved.endpoint.hasSuffix("/") ? String(resolved.endpoint.dropLast()) : resolved.endpoint,
            contentType: protobuf ? OTLPProtobufWriter.contentType : OTLPJSONWriter.contentType,
            gzip: resolved.gzip,
            headers: resolved.projectID.map { [(HighlightAttribute.projectHeader, $0)] } ?? []
        )
        let settings = TelemetryExporter.Settings(
            batchDelay: resolved.batchDelay,
            spanQueueCapacity: resolved.spanQueueSize,
            logQueueCapacity: resolved.logQueueSize,
            spanBatchSize: resolved.spanBatchSize,
            logBatchSize: resolved.logBatchSize,
            concurrentRequests: 4,
            protobuf: protobuf,
            resource: OTLPResource(attributes: resource, scopeName: "swift-highlight-propagation", scopeVersion: HighlightVersion.current),
            limits: SpanLimits()
        )
        return TelemetryExporter(settings: settings, sender: sender, counters: counters, debugLogger: resolved.debugLogger)
    }
}

/// This package's version, as `telemetry.distro.version`.
enum HighlightVersion {
    static let current = "0.1.0"
}
