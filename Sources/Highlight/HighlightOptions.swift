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
        /// are spans too, so sample only where the volume of ordinary spans calls for it.
        public var sampler: HighlightSampler
        /// How many spans (errors) and log records each wait at most; past that new ones are dropped and counted.
        /// Default 32,768: about a tenth of a second of spans at 300,000 a second, the time the exporter may wait for a
        /// core on a busy machine, and at most about 13 MB of spans (a queued span holds about 400 bytes).
        /// `OTEL_BSP_MAX_QUEUE_SIZE` (spans) and `OTEL_BLRP_MAX_QUEUE_SIZE` (log records) take precedence.
        public var exportQueueSize: Int
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
            self.export = .otlp
            self.shutdownTimeout = .seconds(5)
            self.promptErrorExportInterval = .milliseconds(250)
            self.bootstrapLogging = true
        }

        /// highlight's cloud OTLP/HTTP endpoint.
        public static let highlightCloudEndpoint = "https://otel.highlight.io:4318"

        /// The options with every unset field resolved from `environment`, then from the defaults.
        func resolved(environment variables: [String: String]) -> Resolved {
            let endpoint = otlpEndpoint ?? variables["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? Self.highlightCloudEndpoint
            let protocolName = otlpProtocol?.rawValue ?? variables["OTEL_EXPORTER_OTLP_PROTOCOL"] ?? OTLPProtocol.httpProtobuf.rawValue
            var debugLogger = self.debugLogger
            if debugLogger == nil, let flag = variables["HIGHLIGHT_DEBUG"], ["1", "true", "yes"].contains(flag.lowercased()) {
                var logger = Logger(label: "highlight.debug")
                logger.logLevel = .debug
                debugLogger = logger
            }
            let delays = ["OTEL_BSP_SCHEDULE_DELAY", "OTEL_BLRP_SCHEDULE_DELAY"].compactMap { variables[$0].flatMap(Int64.init) }.filter { $0 > 0 }
            let batchDelay = delays.min().map { Duration.milliseconds($0) } ?? exportBatchDelay
            func queueSize(_ name: String) -> Int { variables[name].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? exportQueueSize }
            let shutdownWait = variables["HIGHLIGHT_SHUTDOWN_TIMEOUT"].flatMap(Int64.init).flatMap { $0 > 0 ? Duration.milliseconds($0) : nil }
            return Resolved(
                projectID: projectID ?? variables["HIGHLIGHT_PROJECT_ID"],
                serviceName: serviceName ?? variables["OTEL_SERVICE_NAME"] ?? "unknown_service",
                serviceVersion: serviceVersion,
                environment: environment,
                endpoint: endpoint,
                otlpProtocol: OTLPProtocol(rawValue: protocolName) ?? .httpProtobuf,
                gzip: gzip ?? (variables["OTEL_EXPORTER_OTLP_COMPRESSION"].map { $0.lowercased() != "none" } ?? true),
                batchDelay: batchDelay,
                spanQueueSize: queueSize("OTEL_BSP_MAX_QUEUE_SIZE"),
                logQueueSize: queueSize("OTEL_BLRP_MAX_QUEUE_SIZE"),
                shutdownTimeout: shutdownWait ?? shutdownTimeout,
                options: self,
                debugLogger: debugLogger
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
        let shutdownTimeout: Duration
        let options: Options
        let debugLogger: Logger?
    }
}
