// A program for the telemetry exit-path tests (TelemetryExitPathTests): it reports one error and one log inside a
// session, with the batch timer and prompt error export both out of the way, then stops the way its argument names.
// Whatever reaches the test's OTLP receiver can only have been sent by the exit path under test.
//
//   highlight-exit-probe <OTLP endpoint> graceful|cancelled|thrown|signal|flush
import Foundation
import Highlight
import HighlightPropagation
import Instrumentation
import Logging
import ServiceLifecycle
import UnixSignals

struct ProbeFailure: Error, CustomStringConvertible {
    let path: String
    var description: String { "exit-path probe failure (\(path))" }
}

/// Runs `body` as a service; the group's behaviours decide what its return or error does to the telemetry service.
struct BodyService: Service {
    let body: @Sendable () async throws -> Void
    func run() async throws { try await body() }
}

func say(_ line: String) {
    FileHandle.standardOutput.write(Data("\(line)\n".utf8))
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: highlight-exit-probe <OTLP endpoint> graceful|cancelled|thrown|signal|flush\n".utf8))
    exit(64)
}
let path = arguments[2]

var options = Highlight.Options(projectID: "exit-probe", serviceName: "exit-probe")
options.otlpEndpoint = arguments[1]
options.otlpProtocol = .httpJSON
options.gzip = false
options.bootstrapLogging = false
options.exportBatchDelay = .seconds(600)
options.promptErrorExportInterval = nil
options.shutdownTimeout = .seconds(10)
let telemetry = try Highlight.bootstrap(options)

/// In a function, not at top level: temporaries of top-level code in an async main stay allocated until the process
/// exits, where LeakSanitizer (`make sanitize`) reported the header string as leaked.
func reportInsideTheSession(path: String) {
    ServiceContext.withValue(ServiceContext.extract(from: ["x-highlight-request": "exit-\(path)/request-\(path)"])) {
        H.consumeError(ProbeFailure(path: path))
        H.log("exit-path probe log (\(path))", level: .error)
    }
}
reportInsideTheSession(path: path)

var logger = Logger(label: "exit-probe")
logger.logLevel = .critical
let waitForShutdown: @Sendable () async throws -> Void = {
    say("ready")
    try await gracefulShutdown()
}

let services: [ServiceGroupConfiguration.ServiceConfiguration]
var signals: [UnixSignal] = []
switch path {
case "graceful":
    services = [.init(service: telemetry), .init(service: BodyService {}, successTerminationBehavior: .gracefullyShutdownGroup)]
case "cancelled":
    // ServiceLifecycle's default failure behaviour: the group cancels the telemetry service.
    services = [.init(service: telemetry), .init(service: BodyService { throw ProbeFailure(path: path) })]
case "thrown":
    services = [
        .init(service: telemetry),
        .init(service: BodyService { throw ProbeFailure(path: path) }, failureTerminationBehavior: .gracefullyShutdownGroup),
    ]
case "signal":
    signals = [.sigterm, .sigint]
    services = [.init(service: telemetry), .init(service: BodyService(body: waitForShutdown))]
case "flush":
    // Flushed by hand, then left running: the test kills it with SIGKILL, so no exit path can send anything.
    services = [
        .init(service: telemetry),
        .init(service: BodyService {
            H.flush()
            say("flushed")
            try await waitForShutdown()
        }),
    ]
default:
    FileHandle.standardError.write(Data("unknown exit path '\(path)'\n".utf8))
    exit(64)
}

let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
do {
    try await group.run()
    say("exited")
} catch {
    say("exited with \(error)")
    exit(1)
}
