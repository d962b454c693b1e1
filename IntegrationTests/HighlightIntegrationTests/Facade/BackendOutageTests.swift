import Foundation
import Highlight
import Testing

/// The facade while its backend is down or never answers. These tests make the process-wide receiver hold or fail
/// every request, so the suite takes it `.disruptsSharedReceiver`: it runs while no suite that reads the receiver runs.
/// The lock is taken by the suite, not by its tests: a test's time limit would count the wait for the readers to
/// finish, and a waiting test would hold one of the test runner's few parallel slots.
@Suite("Highlight facade: a backend that holds or fails", .serialized, .timeLimit(.minutes(2)), .disruptsSharedReceiver)
struct BackendOutageTests {
    /// The backend answers nothing until the calls are done: had any call waited on the network, it would never have
    /// returned (the suite's time limit fails it).
    @Test func aBackendThatNeverAnswersDoesNotHoldTheCaller() async throws {
        let receiver = try await TestHighlight.ready()
        receiver.setBehaviour(.hold)
        defer { receiver.release() }  // the receiver is shared: never leave it holding, whatever happens here
        let before = receiver.requests.count
        for index in 0..<10_000 { H.log("under a backend that does not answer \(index)") }
        for _ in 0..<100 { H.consumeError(HighlightFacadeTests.PaymentDeclined(marker: "held")) }
        // The exporter did reach the backend meanwhile: the calls returned while it was holding requests.
        try await withTimeout(.seconds(60)) { await receiver.waitForRequests(before + 1) }
        receiver.release()
        try await TestHighlight.waitUntilDrained(receiver)
    }

    @Test func aBackendThatFailsCostsTheCallerNothingButCountedDrops() async throws {
        let receiver = try await TestHighlight.ready()
        receiver.setBehaviour(.fail)
        defer { receiver.setBehaviour(.accept) }  // never leave the shared receiver failing, whatever happens here
        let failedBefore = Highlight.statistics.exportsFailed
        let requestsBefore = receiver.requests.count
        let residentBefore = residentMemoryBytes()
        try #require(residentBefore > 0, "resident memory is read from /proc")
        for index in 0..<10_000 { H.log("under a failing backend \(index)") }
        // The test's own requests reach the failing backend, then the exporter counts the failure once its retries are
        // spent: both waited for, and a wait that runs out of its deadline fails the test.
        try await withTimeout(.seconds(60)) { await receiver.waitForRequests(requestsBefore + 1) }
        try await withTimeout(.seconds(60)) { await Highlight.waitForFailedExports(atLeast: failedBefore + 1) }
        let growth = residentMemoryBytes() - residentBefore
        #expect(growth < 200 * 1024 * 1024, "the bounded queue keeps memory bounded (grew \(growth) bytes)")
        receiver.setBehaviour(.accept)
        try await TestHighlight.waitUntilDrained(receiver)
    }
}

/// The process's resident memory, from /proc.
func residentMemoryBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
