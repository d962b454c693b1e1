import HighlightTestSupport
import AsyncHTTPClient
import Foundation
@testable import Highlight
import Testing

/// The sender against a scripted OTLP endpoint (a few lines of Python's http.server on loopback): which answers are
/// retried, how often, and what a 200 with a partial success becomes.
@Suite("OTLP/HTTP sender", .serialized, .timeLimit(.minutes(1)))
struct OTLPHTTPSenderTests {
    /// Answers the n-th request with the n-th scripted `status[:retry-after[:body hex]]`, and prints each request's
    /// path, content type and content encoding. SIGTERM is unblocked first: `Process` starts a child with the signal
    /// mask of the thread that starts it, and the tests' threads block nearly every signal, so the SIGTERM of
    /// `deinit` stayed pending and every endpoint outlived the test run.
    static let script = """
        import http.server, signal, sys
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
        answers = sys.argv[1:]
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args): pass
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                print("request", self.path, self.headers.get("Content-Type"), self.headers.get("Content-Encoding"), flush=True)
                parts = (answers.pop(0) if answers else "200").split(":")
                body = bytes.fromhex(parts[2]) if len(parts) > 2 else b""
                self.send_response(int(parts[0]))
                if len(parts) > 1 and parts[1]: self.send_header("Retry-After", parts[1])
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        print("port", server.server_address[1], flush=True)
        server.serve_forever()
        """

    /// A running scripted endpoint; its output is read as it comes, without blocking a thread.
    final class Endpoint: Sendable {
        /// Signalled through ``ChildProcess/signal(_:)``, which never reaches a process that took its pid after it ended.
        private let child: ChildProcess
        private let lines: AsyncStream<String>
        let port: Int

        static func start(_ answers: [String]) async throws -> Endpoint {
            let child = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", OTLPHTTPSenderTests.script] + answers)
            var iterator = child.lines.makeAsyncIterator()
            guard let first = await iterator.next(), first.hasPrefix("port "), let port = Int(first.dropFirst(5)) else {
                child.signal(SIGTERM)
                throw CancellationError()
            }
            return Endpoint(child: child, port: port)
        }

        private init(child: ChildProcess, port: Int) {
            self.child = child
            self.lines = child.lines
            self.port = port
        }

        /// The next line the script printed (one per request).
        func nextLine() async -> String? {
            var iterator = lines.makeAsyncIterator()
            return await iterator.next()
        }

        deinit {
            child.signal(SIGTERM)
        }
    }

    static func sender(port: Int, gzip: Bool = false) -> OTLPHTTPSender {
        var sender = OTLPHTTPSender(
            client: .shared, endpoint: "http://127.0.0.1:\(port)", contentType: OTLPProtobufWriter.contentType, gzip: gzip,
            headers: [("x-highlight-project", "p")]
        )
        sender.initialBackoff = .milliseconds(10)
        sender.maximumAttempts = 3
        return sender
    }

    @Test func aRetryableAnswerIsRetriedAndAPartialSuccessIsRead() async throws {
        // partial_success { rejected_spans: 2, error_message: "old" }
        let endpoint = try await Endpoint.start(["503:0", "200::0a070802120 36f6c64".replacingOccurrences(of: " ", with: "")])
        let outcome = await Self.sender(port: endpoint.port, gzip: true).send([1, 2, 3], signal: .traces)
        #expect(outcome == .sent(rejected: 2, message: "old"))
        #expect(await endpoint.nextLine() == "request /v1/traces application/x-protobuf gzip")
        #expect(await endpoint.nextLine() == "request /v1/traces application/x-protobuf gzip", "the 503 was retried")
    }

    @Test(arguments: ["429", "502", "504"])
    func everyRetryableStatusIsRetriedUntilTheAttemptsRunOut(status: String) async throws {
        let endpoint = try await Endpoint.start([status, status, status])
        let outcome = await Self.sender(port: endpoint.port).send([1], signal: .logs)
        guard case .failed(let reason) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(reason.contains(status) && reason.contains("3 attempts"), "\(reason)")
        for _ in 0..<3 { #expect(await endpoint.nextLine() == "request /v1/logs application/x-protobuf None") }
    }

    @Test func aFinalAnswerIsNotRetried() async throws {
        let endpoint = try await Endpoint.start(["400", "200"])
        let outcome = await Self.sender(port: endpoint.port).send([1], signal: .traces)
        guard case .failed(let reason) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(reason.contains("400"))
        #expect(await endpoint.nextLine()?.hasPrefix("request") == true)
        // The next request is a new send, answered with the script's second answer: the 400 was not retried.
        #expect(await Self.sender(port: endpoint.port).send([1], signal: .traces) == .sent(rejected: 0, message: nil))
    }

    @Test func anEndpointThatIsDownFailsAfterEveryAttemptSayingWhatToCheck() async throws {
        // AsyncHTTPClient keeps trying to connect until the request's deadline: each attempt takes the timeout.
        var sender = Self.sender(port: 1)
        sender.requestTimeout = .milliseconds(500)
        let outcome = await sender.send([1], signal: .traces)
        guard case .failed(let reason) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(reason.contains("could not reach the OTLP endpoint http://127.0.0.1:1") && reason.contains("3 attempts"), "\(reason)")
    }
}
