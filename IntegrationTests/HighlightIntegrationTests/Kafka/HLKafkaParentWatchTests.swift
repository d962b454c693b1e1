import CProcessWatch
import Foundation
import Glibc
import HighlightTestSupport
import Testing

/// A child `hlkafka` ends with the process that started it (`HLKAFKA_EXIT_WITH_PARENT=1`, which `ChildProcess` sets):
/// a crashed test run leaves no process behind to disturb the next one.
@Suite("hlkafka ends with its parent", .timeLimit(.minutes(2)))
struct HLKafkaParentWatchTests {
    /// Waits, on a thread of its own, until `pid` has ended or `milliseconds` have passed; true when it ended.
    static func waitForEnd(of pid: pid_t, atMost milliseconds: Int32) async -> Bool {
        let descriptor = hl_pidfd_open(pid)
        guard descriptor >= 0 else { return kill(pid, 0) != 0 }
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&entry, 1, milliseconds)
                close(descriptor)
                continuation.resume(returning: ready > 0)
            }
        }
    }

    @Test func aChildWhoseParentIsKilledEndsToo() async throws {
        // A shell starts hlkafka in the background and prints its pid; then the shell is killed without a chance to
        // do anything, as a crashing test process is.
        let command = "'\(HLKafkaCommandLineTests.executable.path)' mock-cluster --brokers 1 & echo $!; wait"
        let shell = try ChildProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", command])
        var lines = shell.lines.makeAsyncIterator()
        let pid = try #require(await lines.next().flatMap { pid_t($0) })
        #expect(await lines.next()?.hasPrefix("bootstrap.servers=") == true, "hlkafka is up")
        shell.signal(SIGKILL)
        let ended = await Self.waitForEnd(of: pid, atMost: 30_000)
        if !ended { kill(pid, SIGKILL) }
        #expect(ended, "hlkafka (pid \(pid)) outlived the process that started it by 30 s")
    }
}
