import CProcessWatch
import Foundation
import Glibc

/// Ends this process when the process that started it ends, when `HLKAFKA_EXIT_WITH_PARENT=1`.
///
/// This package's tests start `hlkafka` as child processes and set it: a test process that crashes (or is killed at
/// its time limit) would otherwise leave its children running, reconnecting for ever to brokers that are gone and
/// taking loopback ports and CPU from every run after it. A thread of its own waits on a pidfd of the parent (no
/// polling loop), and exits the moment the parent does. Without the variable, or on a kernel without pidfds
/// (before Linux 5.3), nothing is watched.
enum ParentWatch {
    static let variable = "HLKAFKA_EXIT_WITH_PARENT"

    static func start(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment[variable] == "1" else { return }
        let parent = getppid()
        let descriptor = hl_pidfd_open(parent)
        guard descriptor >= 0 else { return }
        // The parent may have ended before the pidfd named it (we were then adopted by another process).
        guard getppid() == parent else { _exit(1) }
        Thread.detachNewThread {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            while poll(&entry, 1, -1) < 0 && errno == EINTR {}
            FileHandle.standardError.write(Data("hlkafka: the process that started it ended (\(variable)=1); exiting\n".utf8))
            _exit(1)
        }
    }
}
