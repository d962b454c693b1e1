import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends OTLP/HTTP requests: gzip when asked, the `x-highlight-project` header, a timeout per request, retries with
/// exponential backoff on 429, 502, 503, 504 and connection failures (honouring `Retry-After`), and the
/// `partial_success` of a 200 read back.
struct OTLPHTTPSender: Sendable {
    /// What happened to one request.
    enum Outcome: Sendable, Equatable {
        /// Accepted; `rejected` records the backend refused anyway (OTLP partial success), with its message.
        case sent(rejected: Int64, message: String?)
        /// Not accepted after every attempt; the records are dropped. The reason says what to check.
        case failed(String)
    }

    enum Signal: String, Sendable {
        case traces = "/v1/traces"
        case logs = "/v1/logs"
    }

    let client: HTTPClient
    /// The base URL; the signal's path is appended.
    let endpoint: String
    let contentType: String
    let gzip: Bool
    let headers: [(String, String)]
    var requestTimeout: Duration = .seconds(10)
    var maximumAttempts = 5
    var initialBackoff: Duration = .milliseconds(100)
    var maximumBackoff: Duration = .seconds(5)

    func send(_ body: [UInt8], signal: Signal) async -> Outcome {
        var request = HTTPClientRequest(url: endpoint + signal.rawValue)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "User-Agent", value: "swift-highlight-propagation/\(HighlightVersion.current)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if gzip, let compressed = Gzip.compress(body) {
            request.headers.add(name: "Content-Encoding", value: "gzip")
            request.body = .bytes(compressed)
        } else {
            request.body = .bytes(ByteBuffer(bytes: body))
        }

        var backoff = initialBackoff
        var lastFailure = ""
        for attempt in 1...maximumAttempts {
            var retryAfter: Duration?
            do {
                let response = try await client.execute(request, timeout: .nanoseconds(requestTimeout.nanoseconds))
                let responseBody = try await response.body.collect(upTo: 1024 * 1024)
                switch response.status.code {
                case 200..<300:
                    return OTLPPartialSuccess.read(Array(responseBody.readableBytesView), contentType: response.headers.first(name: "Content-Type"))
                case 429, 502, 503, 504:
                    lastFailure = "the OTLP endpoint answered \(response.status.code) (retryable)"
                    retryAfter = response.headers.first(name: "Retry-After").flatMap(Int.init).map { .seconds(min(max($0, 0), 30)) }
                default:
                    return .failed("the OTLP endpoint answered \(response.status.code) \(response.status.reasonPhrase): check the endpoint and the project id")
                }
            } catch {
                if Task.isCancelled { return .failed("cancelled while sending (shutdown wait over)") }
                lastFailure = "could not reach the OTLP endpoint \(endpoint): \(error)"
            }
            guard attempt < maximumAttempts else { break }
            // Full jitter: a fleet of exporters retrying together does not hit the backend at once.
            let wait = retryAfter ?? .nanoseconds(Int64.random(in: 0...max(1, backoff.nanoseconds)))
            backoff = min(backoff * 2, maximumBackoff)
            do { try await Task.sleep(for: wait) } catch { return .failed("cancelled while waiting to retry (shutdown wait over): \(lastFailure)") }
        }
        return .failed("\(lastFailure), \(maximumAttempts) attempts")
    }
}

extension Duration {
    /// The whole duration in nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, overflow) = components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : seconds.addingReportingOverflow(components.attoseconds / 1_000_000_000).partialValue
    }
}

/// Reads `Export*ServiceResponse { Export*PartialSuccess partial_success = 1; }` (`int64 rejected_* = 1;
/// string error_message = 2;`) from a protobuf or JSON response body.
enum OTLPPartialSuccess {
    static func read(_ body: [UInt8], contentType: String?) -> OTLPHTTPSender.Outcome {
        guard !body.isEmpty else { return .sent(rejected: 0, message: nil) }
        if contentType?.contains("json") == true {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                let partial = object["partialSuccess"] as? [String: Any]
            else { return .sent(rejected: 0, message: nil) }
            let count = partial["rejectedSpans"] ?? partial["rejectedLogRecords"]
            let rejected = (count as? NSNumber)?.int64Value ?? (count as? String).flatMap { Int64($0) } ?? 0
            return .sent(rejected: rejected, message: partial["errorMessage"] as? String)
        }
        var reader = ProtobufReader(body)
        var rejected: Int64 = 0
        var message: String?
        while let (field, value) = reader.next() {
            guard field == 1, case .bytes(let partial) = value else { continue }
            var inner = ProtobufReader(partial)
            while let (innerField, innerValue) = inner.next() {
                switch (innerField, innerValue) {
                case (1, .varint(let count)): rejected = Int64(bitPattern: count)
                case (2, .bytes(let text)): message = String(decoding: text, as: UTF8.self)
                default: break
                }
            }
        }
        return .sent(rejected: rejected, message: message)
    }
}

/// Just enough of the protobuf wire format to read a response: varint and length-delimited fields; anything else
/// ends the read.
struct ProtobufReader {
    enum Value {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
    }

    private let bytes: [UInt8]
    private var index = 0

    init<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        self.bytes = Array(bytes)
    }

    private mutating func varint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        return nil
    }

    mutating func next() -> (Int, Value)? {
        guard let key = varint() else { return nil }
        switch key & 7 {
        case 0:
            return varint().map { (Int(key >> 3), .varint($0)) }
        case 2:
            guard let length = varint(), length <= UInt64(bytes.count - index) else { return nil }
            let start = index
            index += Int(length)
            return (Int(key >> 3), .bytes(bytes[start..<index]))
        default:
            return nil
        }
    }
}
