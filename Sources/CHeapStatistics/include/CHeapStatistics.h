#ifndef C_HEAP_STATISTICS_H
#define C_HEAP_STATISTICS_H

#include <stddef.h>

/// Bytes the C allocator has handed out and not had back: in-use chunks plus mapped blocks (glibc's mallinfo2),
/// or 0 where glibc's statistics are not available. Used by `hlkafka bench` to tell live objects from memory the
/// allocator keeps cached.
size_t hl_heap_bytes_in_use(void);

#endif
