#include "CProcessWatch.h"

#include <sys/syscall.h>
#include <unistd.h>

int hl_pidfd_open(int pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    return -1;
#endif
}
