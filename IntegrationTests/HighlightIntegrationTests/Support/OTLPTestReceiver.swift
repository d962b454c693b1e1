import Foundation
import HighlightTestSupport
import Hummingbird
import Logging
import NIOCore
import HighlightSynchronization
import Synchronization

/// A local OTLP/HTTP receiver (JSON protocol) on loopback: it records what exporters send so tests can check the
/// contract highlight's backend relies on. It can play a backend that is down (500) or slow.
final class OTLPTestReceiver: Sendable {
    /// `hold` keeps every request unanswered until ``release()``: a backend that never answers, for as long as a
    /// test needs.
    enum Behaviour: Sendable { case accept, fail, slow(Duration), hold }

    /// One exported span event or log record, with every attribute merged the way highlight's backend merges them
    /// (resource, then span or record, then event).
    struct Record: Sendable {
        var kind: String  // "event" or "log"
        var name: String  // event name or log body
        var severityText: String?
        var attributes: [String: String]
    }

    struct Request: Sendable {
        let path: String
        let headers: [String: String]
    }

    /// One exported span: its name, trace id and attributes (resource merged in).
    struct ExportedSpan: Sendable {
        let name: String
        let traceID: String
        let attributes: [String: String]
    }

    private struct State {
        var records: [Record] = []
        var spans: [ExportedSpan] = []

        var requests: [Request] = []
        var behaviour: Behaviour = .accept
        /// Requests held by the `hold` behaviour.
        var held: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Locked(State())
    /// Tests waiting for requests or spans to arrive.
    private let waiters = ConditionWaiters()
    let port: Int
    private let task: Task<Void, any Error>

    var endpoint: String { "http://127.0.0.1:\(port)" }
    var records: [Record] { state.withLock { $0.records } }
    var spans: [ExportedSpan] { state.withLock { $0.spans } }
    var requests: [Request] { state.withLock { $0.requests } }

    func setBehaviour(_ behaviour: Behaviour) { state.withLock { $0.behaviour = behaviour } }

    /// Stops the server: its request handlers are cancelled, so a `slow` answer still sleeping ends now rather than
    /// outliving the test (a handler asleep at the process's exit holds its request body, which LeakSanitizer then
    /// reports).
    func stop() {
        task.cancel()
    }

    /// Answers every held request and accepts from now on.
    func release() {
        let held = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.behaviour = .accept
            defer { state.held.removeAll() }
            return state.held
        }
        for request in held { request.resume() }
    }

    /// Starts the receiver and waits until it listens.
    static func start() async throws -> OTLPTestReceiver {
        let holder = ReceiverHolder()
        let router = Router()
        for path in ["/v1/traces", "/v1/logs"] {
            router.post(RouterPath(path)) { request, context -> HTTPResponse.Status in
                let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
                let headers = Dictionary(request.headers.map { ($0.name.canonicalName, $0.value) }, uniquingKeysWith: { $1 })
                guard let receiver = holder.receiver else { return .serviceUnavailable }
                return await receiver.receive(path: path, headers: headers, body: Data(body.readableBytesView))
            }
        }
        let server = try await TestHTTPServer.start(router)
        let receiver = OTLPTestReceiver(port: server.port, task: server.task)
        holder.receiver = receiver
        return receiver
    }

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    private func receive(path: String, headers: [String: String], body: Data) async -> HTTPResponse.Status {
        let behaviour = state.withLock { state -> Behaviour in
            state.requests.append(Request(path: path, headers: headers))
            return state.behaviour
        }
        waiters.conditionsChanged()
        switch behaviour {
        case .fail: return .internalServerError
        case .slow(let delay): try? await Task.sleep(for: delay)
        case .hold:
            await withCheckedContinuation { continuation in
                let stillHolding = state.withLock { state -> Bool in
                    guard case .hold = state.behaviour else { return false }
                    state.held.append(continuation)
                    return true
                }
                if !stillHolding { continuation.resume() }
            }
        case .accept: break
        }
        guard let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return .badRequest }
        let parsed = path == "/v1/traces" ? Self.spanEvents(json) : Self.logRecords(json)
        let spans = path == "/v1/traces" ? Self.spans(json) : []
        state.withLock { state in
            state.records.append(contentsOf: parsed)
            state.spans.append(contentsOf: spans)
        }
        waiters.conditionsChanged()
        return .ok
    }

    /// Returns once `count` requests have arrived (a slow backend holds them: they arrive before they are answered),
    /// or when the task is cancelled (wrap it in `withTimeout` so that a request that never comes fails the test
    /// instead of hanging it).
    func waitForRequests(_ count: Int) async {
        await waiters.wait { self.requests.count >= count }
    }

    /// Returns once `condition` holds for the spans received, or when the task is cancelled (bound it with
    /// `withTimeout`).
    func waitForSpans(_ condition: @escaping @Sendable ([ExportedSpan]) -> Bool) async {
        await waiters.wait { condition(self.spans) }
    }

    /// Waits until `condition` holds for the records (or fails after `timeout`).
    func waitFor(timeout: Duration = .seconds(45), _ condition: @escaping @Sendable ([Record]) -> Bool) async throws -> [Record] {
        do {
            try await withTimeout(timeout) { await self.waiters.wait { condition(self.records) } }
        } catch is TestTimeout {
            throw TestTimeout(description: "the OTLP receiver did not get the expected records within \(timeout); it has \(records.count)")
        }
        return records
    }

    // MARK: OTLP JSON

    static func attributes(_ list: Any?) -> [String: String] {
        var result: [String: String] = [:]
        for entry in list as? [[String: Any]] ?? [] {
            guard let key = entry["key"] as? String, let value = entry["value"] as? [String: Any] else { continue }
            if let string = value["stringValue"] as? String {
                result[key] = string
            } else if let int = value["intValue"] {
                result[key] = "\(int)"
            } else if let bool = value["boolValue"] as? Bool {
                result[key] = "\(bool)"
            } else if let double = value["doubleValue"] {
                result[key] = "\(double)"
            }
        }
        return result
    }

    static func spanEvents(_ json: [String: Any]) -> [Record] {
        var records: [Record] = []
        for resourceSpans in json["resourceSpans"] as? [[String: Any]] ?? [] {
            let resource = attributes((resourceSpans["resource"] as? [String: Any])?["attributes"])
            for scope in resourceSpans["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    let spanAttributes = resource.merging(attributes(span["attributes"])) { $1 }
                    var base = spanAttributes
                    base["span.name"] = span["name"] as? String
                    for event in span["events"] as? [[String: Any]] ?? [] {
                        let merged = base.merging(attributes(event["attributes"])) { $1 }
                        records.append(Record(kind: "event", name: event["name"] as? String ?? "", severityText: nil, attributes: merged))
                    }
                }
            }
        }
        return records
    }

    static func spans(_ json: [String: Any]) -> [ExportedSpan] {
        var spans: [ExportedSpan] = []
        for resourceSpans in json["resourceSpans"] as? [[String: Any]] ?? [] {
            let resource = attributes((resourceSpans["resource"] as? [String: Any])?["attributes"])
            for scope in resourceSpans["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    spans.append(ExportedSpan(
                        name: span["name"] as? String ?? "",
                        traceID: hexID(span["traceId"] as? String ?? ""),
                        attributes: resource.merging(attributes(span["attributes"])) { $1 }
                    ))
                }
            }
        }
        return spans
    }

    /// An id as lowercase hex: OTLP/JSON writes ids in hex, but exporters that use protobuf's generic JSON mapping
    /// (swift-otel's) write the bytes in base64.
    static func hexID(_ text: String) -> String {
        if text.count == 32, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        guard let bytes = Data(base64Encoded: text) else { return text }
        return bytes.map { byte in String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
    }

    static func logRecords(_ json: [String: Any]) -> [Record] {
        var records: [Record] = []
        for resourceLogs in json["resourceLogs"] as? [[String: Any]] ?? [] {
            let resource = attributes((resourceLogs["resource"] as? [String: Any])?["attributes"])
            for scope in resourceLogs["scopeLogs"] as? [[String: Any]] ?? [] {
                for record in scope["logRecords"] as? [[String: Any]] ?? [] {
                    let merged = resource.merging(attributes(record["attributes"])) { $1 }
                    let body = (record["body"] as? [String: Any])?["stringValue"] as? String ?? ""
                    records.append(Record(kind: "log", name: body, severityText: record["severityText"] as? String, attributes: merged))
                }
            }
        }
        return records
    }
}

/// Lets the route handlers reach the receiver created after them.
private final class ReceiverHolder: Sendable {
    private let slot = Locked<OTLPTestReceiver?>(nil)
    var receiver: OTLPTestReceiver? {
        get { slot.withLock { $0 } }
        set { slot.withLock { $0 = newValue } }
    }
}
