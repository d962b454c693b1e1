#ifndef C_PROCESS_WATCH_H
#define C_PROCESS_WATCH_H

/// A pidfd for process `pid` (Linux 5.3+), readable once that process has ended; -1 when the kernel has none.
/// `syscall` is variadic, which Swift cannot call: this is the one call `hlkafka`'s parent watch and its test need.
int hl_pidfd_open(int pid);

#endif
