import Instrumentation
import HighlightPropagation
import Logging
import HighlightSynchronization
import Testing
import Synchronization

/// Collects what a logger was asked to write.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    // `@unchecked Sendable` is safe: the only mutable state, `records`, sits behind a Mutex; `metadata` and `logLevel`
    // are set once before the handler is shared.
    let records = Locked<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level

    init(level: Logger.Level) { logLevel = level }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let text = "\(event.message) \(event.metadata ?? [:])"
        records.withLock { $0.append(text) }
    }
}

@Suite("Security")
struct SecurityTests {
    static let secret = "SuperSecretSessionId000000001"

    func propagator(logLevel: Logger.Level, handler: CapturingLogHandler) -> HighlightPropagator {
        var logger = Logger(label: "test") { _ in handler }
        logger.logLevel = logLevel
        return HighlightPropagator(configuration: .init(logger: logger), statistics: PropagationStatistics())
    }

    @Test(arguments: [Logger.Level.info, .debug, .trace])
    func sessionIdsAndValuesAreNeverLogged(level: Logger.Level) {
        let handler = CapturingLogHandler(level: level)
        let propagator = propagator(logLevel: level, handler: handler)
        _ = ServiceContext.extract(from: ["x-highlight-request": "\(Self.secret)/req\r\n"], instrument: propagator)
        _ = ServiceContext.extract(from: ["x-highlight-request": "\(Self.secret)/ok", "baggage": "x=\(Self.secret)%0A,bad member"], instrument: propagator)
        let records = handler.records.withLock { $0 }
        if level == .info { #expect(records.isEmpty, "nothing at the default level") } else { #expect(!records.isEmpty) }
        #expect(records.allSatisfy { !$0.contains(Self.secret) })
    }

    @Test func aValueCannotSmuggleAHeaderIntoAnyCarrier() {
        let propagator = HighlightPropagator(statistics: PropagationStatistics())
        let hostile = [
            "x-highlight-request": "s/r\r\nx-injected: yes",
            "baggage": "k=v%0D%0Ax-injected: yes,x-highlight-request=s%0D%0Ax%2Fr",
            "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nx-injected: yes",
            "tracestate": "a=b\r\nx-injected: yes",
        ]
        let context = ServiceContext.extract(from: hostile, instrument: propagator)
        var outbound: [String: String] = [:]
        context.inject(into: &outbound, using: DictionaryInjector(), instrument: propagator)
        for value in outbound.values { #expect(!value.contains("\r") && !value.contains("\n")) }
        #expect(outbound["x-highlight-request"] == nil)
        #expect(outbound["baggage"] == nil, "the smuggling member is invalid baggage and the mirror was refused")
    }
}
