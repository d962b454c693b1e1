import Foundation
import HighlightTestSupport
import Testing

@Suite("ChildProcess")
struct ChildProcessTests {
    /// A test cancelled past its time limit must not wait for a child that never ends: the child is killed and the run
    /// returns, with the child's status showing how it ended.
    @Test func cancellingARunKillsTheChildAndReturns() async throws {
        let run = Task { try await ChildProcess.run(URL(fileURLWithPath: "/bin/sleep"), ["3600"]) }
        run.cancel()
        let result = try await run.value
        #expect(result.status == SIGKILL)
    }

    /// A signal reaches the running child, and none is sent once it has ended: its pid may belong to another process by
    /// then (pids wrap at 32,768 on the CI machine).
    @Test func aSignalReachesTheRunningChildAndNoOneOnceItHasEnded() async throws {
        // SIGKILL: a child inherits this process's signal mask, in which the test run's service lifecycle blocks
        // SIGTERM (`sleep` would never see it).
        let child = try ChildProcess(URL(fileURLWithPath: "/bin/sleep"), ["3600"])
        #expect(child.signal(SIGKILL), "sent to the running child")
        #expect(await child.exitStatus() == SIGKILL)
        #expect(!child.signal(SIGKILL), "not sent once it has ended")
    }

    @Test func aRunThatEndsReturnsItsOutputAndStatus() async throws {
        let result = try await ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo out; echo err >&2; exit 3"])
        #expect(result.status == 3)
        #expect(result.output == "out")
        #expect(result.errors == "err\n")
    }
}
