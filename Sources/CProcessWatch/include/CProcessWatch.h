#ifndef C_PROCESS_WATCH_H
#define C_PROCESS_WATCH_H

/// A pidfd for process `pid` (Linux 5.3+), readable once that process has ended; -1 when the kernel has none.
/// `syscall` is variadic, which Swift cannot call: this is the one call `hlkafka`'s parent watch and its test need.
int hl_pidfd_open(int pid);

/// Sends `signal` to the process `pidfd` names (Linux 5.1+): never to another process that was given the same pid
/// after it ended. 0 on success; -1 with errno set otherwise (ESRCH once the process has ended).
int hl_pidfd_send_signal(int pidfd, int signal);

#endif
