import Hummingbird
import Logging
import NIOCore

/// A Hummingbird application on a free loopback port, for the HTTP tests.
struct TestHTTPServer {
    let port: Int
    let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func start(_ router: Router<BasicRequestContext>) async throws -> TestHTTPServer {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "test-http-server")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw TestTimeout(description: "the test HTTP server did not start") }
        return TestHTTPServer(port: port, task: task)
    }

    func stop() { task.cancel() }
}
