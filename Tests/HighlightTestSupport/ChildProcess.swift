// What both test targets that run child processes share.
import CProcessWatch
package import Foundation
import Glibc
import HighlightSynchronization
import Synchronization

/// A child process run from a test without blocking a thread of Swift's cooperative pool.
///
/// `Process.waitUntilExit()` and `FileHandle.readDataToEndOfFile()` block the calling thread. Swift Testing runs
/// tests on the cooperative pool, which has one thread per core (two on the CI machine): two tests blocked that way
/// stall every other task of the test process, among them the OTLP receivers and HTTP servers that the children are
/// talking to. A child whose telemetry flush then waits for an answer that cannot come used its whole shutdown wait,
/// and a test failed for a reason that had nothing to do with what it checks. Here the output is read on threads of
/// its own and the exit is awaited with a continuation resumed by the termination handler.
package final class ChildProcess: Sendable {
    /// Where the child's standard error goes.
    package enum Errors: Sendable {
        case discard
        case collect
        /// Line by line, as it comes, in ``errorLines``.
        case stream
    }

    /// What a child that ran to its end left.
    package struct Result: Sendable {
        package let status: Int32
        package let output: String
        package let errors: String
    }

    /// Signal the child with ``signal(_:)``, not with `process.terminate()` or `kill`: those name the child by its pid,
    /// which, once the child has ended and been reaped, the kernel gives to the next process or thread (pids wrap at
    /// 32,768 here, and a sanitized test run starts tens of thousands of threads), so a late signal could stop another
    /// test's child.
    package let process: Process
    /// The child's pidfd, opened as it started; -1 on a kernel without pidfds.
    private let descriptor: Int32
    /// The child's standard output, line by line, ending when the child closes it.
    package let lines: AsyncStream<String>
    private let exit: OneShot<Int32>
    private let errors: OneShot<Data>?
    /// The child's standard error, line by line, when started with `.stream`.
    package let errorLines: AsyncStream<String>?

    /// Starts `executable`; `input`, when given, is written to its standard input, which is then closed.
    package init(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], input: Data? = nil, errors: Errors = .discard
    ) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        // A child `hlkafka` ends with this process (see hlkafka's ParentWatch): a crashed test run leaves none behind.
        process.environment = ProcessInfo.processInfo.environment.merging(["HLKAFKA_EXIT_WITH_PARENT": "1"].merging(environment) { $1 }) { $1 }
        let output = Pipe()
        process.standardOutput = output
        let errorPipe = errors == .discard ? nil : Pipe()
        process.standardError = errorPipe ?? FileHandle.nullDevice
        let inputPipe = input == nil ? nil : Pipe()
        if let inputPipe { process.standardInput = inputPipe }
        let exit = OneShot<Int32>()
        process.terminationHandler = { exit.set($0.terminationStatus) }
        try process.run()
        // At once: a child that has already ended and been reaped has no pidfd (-1: signals then go by pid while it
        // runs), and its pid cannot have gone to another process yet (that takes the pid counter going round).
        self.descriptor = hl_pidfd_open(process.processIdentifier)
        if let inputPipe, let input {
            inputPipe.fileHandleForWriting.write(input)
            try inputPipe.fileHandleForWriting.close()
        }
        self.process = process
        self.exit = exit
        self.lines = PipeLines.stream(output)
        self.errors = errors == .collect ? errorPipe.map(CollectedOutput.start) : nil
        self.errorLines = errors == .stream ? errorPipe.map(PipeLines.stream) : nil
    }

    /// Runs `executable` to its end and returns its status and output.
    package static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], input: Data? = nil
    ) async throws -> Result {
        let child = try ChildProcess(executable, arguments, environment: environment, input: input, errors: .collect)
        return await withTaskCancellationHandler {
            var output: [String] = []
            for await line in child.lines { output.append(line) }
            let status = await child.exitStatus()
            return Result(status: status, output: output.joined(separator: "\n"), errors: await child.collectedErrors())
        } onCancel: {
            // A test past its time limit is cancelled: a child that hangs is killed with it, and what it wrote until
            // then is still returned (status 9), instead of the test run waiting for it without end.
            child.signal(SIGKILL)
        }
    }

    /// Sends `signal` to the child while it runs; once it has ended, to nobody.
    ///
    /// - Parameter signal: `SIGTERM`, `SIGKILL`, ...
    /// - Returns: whether the signal was sent (`false` once the child has ended).
    @discardableResult
    package func signal(_ signal: Int32) -> Bool {
        if descriptor >= 0 { return hl_pidfd_send_signal(descriptor, signal) == 0 }
        return process.isRunning && kill(process.processIdentifier, signal) == 0
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Waits for the child to end and returns its termination status.
    package func exitStatus() async -> Int32 { await exit.wait() }

    /// Everything the child wrote to standard error (empty unless started with `.collect`), once it closed it.
    package func collectedErrors() async -> String {
        guard let errors else { return "" }
        return String(decoding: await errors.wait(), as: UTF8.self)
    }
}

/// A value set once (by a termination handler or a reading thread) and awaited with a continuation.
package final class OneShot<Value: Sendable>: Sendable {
    private let state = Locked<(value: Value?, waiters: [CheckedContinuation<Value, Never>])>((nil, []))

    package init() {}

    package func set(_ value: Value) {
        let waiters = state.withLock { state in
            state.value = value
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    package func wait() async -> Value {
        await withCheckedContinuation { continuation in
            let value: Value? = state.withLock { state in
                if let value = state.value { return value }
                state.waiters.append(continuation)
                return nil
            }
            if let value { continuation.resume(returning: value) }
        }
    }
}

/// A pipe read to its end on a thread of its own.
private enum CollectedOutput {
    static func start(_ pipe: Pipe) -> OneShot<Data> {
        let data = OneShot<Data>()
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { data.set(handle.readDataToEndOfFile()) }
        return data
    }
}
