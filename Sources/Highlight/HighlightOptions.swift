public import HighlightTracing
public import Logging

extension Highlight {
    /// How ``Highlight/bootstrap(_:environment:)`` sets up export. Unset fields fall back to the standard environment
    /// variables, then to the defaults named on each field.
    ///
    /// ```swift
    /// var options = Highlight.Options(projectID: "abc123", serviceName: "orders-worker")
    /// options.serviceVersion = "1.4.2"
    /// options.environment = "production"
    /// let service = try Highlight.bootstrap(options)
    /// ```
    public struct Options: Sendable {
        /// Where telemetry goes.
        public enum Export: Sendable, Hashable {
            /// OTLP/HTTP to ``Options/otlpEndpoint``.
            case otlp
            /// Printed to standard output in a readable form (for demos and local debugging).
            case console
            /// Nothing is exported.
            case disabled
        }

        /// The OTLP/HTTP encoding.
        public enum OTLPProtocol: String, Sendable, Hashable {
            /// `http/protobuf` (default).
            case httpProtobuf = "http/protobuf"
            /// `http/json`.
            case httpJSON = "http/json"
        }

        /// The highlight project id; env `HIGHLIGHT_PROJECT_ID`. Sent as the `highlight.project_id` resource attribute
        /// and the `x-highlight-project` header.
        public var projectID: String?
        /// `service.name`; env `OTEL_SERVICE_NAME`; default `unknown_service`.
        public var serviceName: String?
        /// `service.version`.
        public var serviceVersion: String?
        /// `deployment.environment`.
        public var environment: String?
        /// The OTLP/HTTP base URL; env `OTEL_EXPORTER_OTLP_ENDPOINT`; default highlight's cloud,
        /// `https://otel.highlight.io:4318` (`/v1/traces` and `/v1/logs` are appended).
        public var otlpEndpoint: String?
        /// Env `OTEL_EXPORTER_OTLP_PROTOCOL`; default `http/protobuf`.
        public var otlpProtocol: OTLPProtocol?
        /// gzip request bodies; env `OTEL_EXPORTER_OTLP_COMPRESSION=gzip|none`; default on.
        public var gzip: Bool?
        /// How long telemetry waits in memory before a batch is sent; default 1 s. The environment variables
        /// `OTEL_BSP_SCHEDULE_DELAY` and `OTEL_BLRP_SCHEDULE_DELAY` (milliseconds) take precedence; with both set, the
        /// shorter wins (one exporter sends spans and log records).
        public var exportBatchDelay: Duration
        /// Which spans are recorded; default `.parentBased(root: .always)` (every span of every trace a caller did not
        /// decline). `.parentBased(root: .ratio(0.1))` keeps one new trace in ten; errors reported with `consumeError`
        /// are spans too, so sample only where the volume of ordinary spans calls for it. OpenTelemetry's
        /// `OTEL_TRACES_SAMPLER` (`always_on`, `always_off`, `traceidratio`, `parentbased_always_on`,
        /// `parentbased_always_off`, `parentbased_traceidratio`) with `OTEL_TRACES_SAMPLER_ARG` (the ratio, 0 to 1)
        /// takes precedence, so an operator can sample less without a rebuild.
        public var sampler: HighlightSampler
        /// How many spans (errors) and log records each wait at most; past that new ones are dropped and counted.
        /// Default 32,768: about a tenth of a second of spans at 300,000 a second, the time the exporter may wait for a
        /// core on a busy machine, and at most about 13 MB of spans (a queued span holds about 400 bytes).
        /// `OTEL_BSP_MAX_QUEUE_SIZE` (spans) and `OTEL_BLRP_MAX_QUEUE_SIZE` (log records) take precedence.
        public var exportQueueSize: Int
        /// The most spans or log records in one export request; default 512, as OpenTelemetry's batch processors.
        /// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` (spans) and `OTEL_BLRP_MAX_EXPORT_BATCH_SIZE` (log records) take
        /// precedence; a batch larger than its queue is cut to the queue's size. A full batch wakes the exporter before
        /// ``exportBatchDelay`` is up.
        public var exportBatchSize: Int
        /// OTLP, console or nothing; default ``Export/otlp``.
        public var export: Export
        /// The longest shutdown waits for the last export; default 5 s. It bounds every way ``HighlightService`` stops:
        /// graceful shutdown, cancellation of its group, SIGTERM or SIGINT. `HIGHLIGHT_SHUTDOWN_TIMEOUT` (milliseconds)
        /// takes precedence, so an operator can give a slow network (or a sanitized build) longer without a rebuild.
        public var shutdownTimeout: Duration
        /// An error reported with ``Highlight/consumeError(_:secureSessionID:requestID:metadata:file:function:line:)``
        /// sends what is queued at once, instead of waiting for ``exportBatchDelay``, at most once per this interval (so
        /// an error storm makes at most one export request per interval). `nil` leaves errors to the batch timer.
        /// Default 250 ms.
        public var promptErrorExportInterval: Duration?
        /// Also send every swift-log logger's records (through `LoggingSystem.bootstrap`); default on. Turn it off when
        /// your application bootstraps logging itself, and add ``Highlight/logHandler(label:)`` to your multiplex.
        public var bootstrapLogging: Bool
        /// Debug output: what was extracted or refused and why, and each failed export. Header values are never
        /// logged. Env `HIGHLIGHT_DEBUG=1` turns it on with a console logger.
        public var debugLogger: Logger?

        /// Creates options; every field not given falls back as described on it.
        ///
        /// - Parameters:
        ///   - projectID: your highlight project id; `nil` reads `HIGHLIGHT_PROJECT_ID`.
        ///   - serviceName: this service's name; `nil` reads `OTEL_SERVICE_NAME`.
        public init(projectID: String? = nil, serviceName: String? = nil) {
            self.projectID = projectID
            self.serviceName = serviceName
            self.exportBatchDelay = .seconds(1)
            self.sampler = .parentBased(root: .always)
            self.exportQueueSize = 32_768
            self.exportBatchSize = 512
            self.export = .otlp
            self.shutdownTimeout = .seconds(5)
            self.promptErrorExportInterval = .milliseconds(250)
            self.bootstrapLogging = true
        }

        /// highlight's cloud OTLP/HTTP endpoint.
        public static let highlightCloudEndpoint = "https://otel.highlight.io:4318"

        /// The options with every unset field resolved from `environment`, then from the defaults; each variable set
        /// to a value it cannot take is ignored and named in ``Resolved/warnings``.
        func resolved(environment variables: [String: String]) -> Resolved {
            var reader = EnvironmentReader(variables)
            let endpoint = otlpEndpoint ?? reader.string("OTEL_EXPORTER_OTLP_ENDPOINT") ?? Self.highlightCloudEndpoint
            var debugLogger = self.debugLogger
            if debugLogger == nil, let flag = reader.string("HIGHLIGHT_DEBUG"), ["1", "true", "yes"].contains(flag.lowercased()) {
                var logger = Logger(label: "highlight.debug")
                logger.logLevel = .debug
                debugLogger = logger
            }
            let delays = ["OTEL_BSP_SCHEDULE_DELAY", "OTEL_BLRP_SCHEDULE_DELAY"].compactMap { reader.positiveInteger($0, "milliseconds") }
            let batchDelay = delays.min().map { Duration.milliseconds(Int64($0)) } ?? exportBatchDelay
            let spanQueueSize = reader.positiveInteger("OTEL_BSP_MAX_QUEUE_SIZE", "spans") ?? exportQueueSize
            let logQueueSize = reader.positiveInteger("OTEL_BLRP_MAX_QUEUE_SIZE", "log records") ?? exportQueueSize
            func batchSize(_ name: String, _ what: String, queue: Int) -> Int {
                let size = reader.positiveInteger(name, what) ?? exportBatchSize
                guard size > queue else { return size }
                reader.warn("an export batch of \(size) \(what) (Options.exportBatchSize or \(name)) exceeds its queue of \(queue): batches of \(queue)")
                return queue
            }
            let spanBatchSize = batchSize("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "spans", queue: spanQueueSize)
            let logBatchSize = batchSize("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "log records", queue: logQueueSize)
            let shutdownWait = reader.positiveInteger("HIGHLIGHT_SHUTDOWN_TIMEOUT", "milliseconds").map { Duration.milliseconds(Int64($0)) }
            let environmentSampler = SamplerVariables.read(&reader)
            let compression = reader.string("OTEL_EXPORTER_OTLP_COMPRESSION")?.lowercased()
            if let compression, compression != "gzip" && compression != "none" {
                reader.warn("OTEL_EXPORTER_OTLP_COMPRESSION=\(compression) is neither gzip nor none: gzip")
            }
            var resolvedProtocol = otlpProtocol ?? .httpProtobuf
            if otlpProtocol == nil, let name = reader.string("OTEL_EXPORTER_OTLP_PROTOCOL") {
                if let named = OTLPProtocol(rawValue: name) {
                    resolvedProtocol = named
                } else {
                    reader.warn("OTEL_EXPORTER_OTLP_PROTOCOL=\(name) is not one this package speaks (http/protobuf, http/json): http/protobuf")
                }
            }
            return Resolved(
                projectID: projectID ?? reader.string("HIGHLIGHT_PROJECT_ID"),
                serviceName: serviceName ?? reader.string("OTEL_SERVICE_NAME") ?? "unknown_service",
                serviceVersion: serviceVersion,
                environment: environment,
                endpoint: endpoint,
                otlpProtocol: resolvedProtocol,
                gzip: gzip ?? (compression.map { $0 != "none" } ?? true),
                batchDelay: batchDelay,
                spanQueueSize: spanQueueSize,
                logQueueSize: logQueueSize,
                spanBatchSize: spanBatchSize,
                logBatchSize: logBatchSize,
                sampler: environmentSampler ?? sampler,
                shutdownTimeout: shutdownWait ?? shutdownTimeout,
                options: self,
                debugLogger: debugLogger,
                warnings: reader.warnings
            )
        }
    }

    /// Options with nothing left unset.
    struct Resolved: Sendable {
        let projectID: String?
        let serviceName: String
        let serviceVersion: String?
        let environment: String?
        let endpoint: String
        let otlpProtocol: Options.OTLPProtocol
        let gzip: Bool
        let batchDelay: Duration
        /// How many spans wait at most (``Options/exportQueueSize``, or `OTEL_BSP_MAX_QUEUE_SIZE`).
        let spanQueueSize: Int
        /// How many log records wait at most (``Options/exportQueueSize``, or `OTEL_BLRP_MAX_QUEUE_SIZE`).
        let logQueueSize: Int
        /// Spans per export request (``Options/exportBatchSize``, or `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`).
        let spanBatchSize: Int
        /// Log records per export request (``Options/exportBatchSize``, or `OTEL_BLRP_MAX_EXPORT_BATCH_SIZE`).
        let logBatchSize: Int
        /// ``Options/sampler``, or what `OTEL_TRACES_SAMPLER` names.
        let sampler: HighlightSampler
        let shutdownTimeout: Duration
        let options: Options
        let debugLogger: Logger?
        /// Every environment value refused, and why; `Highlight.bootstrap` logs each as a warning.
        let warnings: [String]
    }
}
