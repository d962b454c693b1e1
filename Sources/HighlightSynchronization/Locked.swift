#if HIGHLIGHT_THREAD_SANITIZER
import Glibc
#else
package import Synchronization
#endif

#if !HIGHLIGHT_THREAD_SANITIZER
/// A value behind a lock: the standard library's `Mutex` itself, except in ThreadSanitizer builds.
///
/// On Linux, ThreadSanitizer does not see `Mutex` lock and unlock (they happen inside the uninstrumented standard
/// library), so every value a `Mutex` guards is reported as a "Swift access race" although the lock orders the
/// accesses: shown with a four-thread counter program that `Mutex` keeps exact and TSan still flags. `make sanitize`
/// builds with `HIGHLIGHT_THREAD_SANITIZER`, where `Locked` is a struct with the same API over a `pthread_mutex_t`,
/// whose lock and unlock the sanitizer intercepts. Every other build uses `Mutex` directly: a wrapper struct was not
/// specialized across modules and cost the plain producer about a fifth of its throughput in generic metadata
/// lookups.
package typealias Locked<Value> = Mutex<Value>
#else
/// ThreadSanitizer builds: a value behind a `pthread_mutex_t` (see the other branch for why), with `Mutex`'s API.
package struct Locked<Value>: ~Copyable {
    private let storage: PthreadLockedStorage<Value>

    package init(_ value: sending Value) {
        storage = PthreadLockedStorage(value)
    }

    /// Runs `body` with the value, holding the lock.
    package borrowing func withLock<Result, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E) -> sending Result {
        try storage.withLock(body)
    }
}

// Safe: the value is only reached through `withLock`, which holds the lock (as `Mutex`'s own conformance).
extension Locked: @unchecked Sendable {}

/// The ThreadSanitizer build's storage: a heap-allocated `pthread_mutex_t` (it must not move) and the value.
///
/// `@unchecked Sendable` is safe: `value` is read and written only in `withLock`, between lock and unlock.
final class PthreadLockedStorage<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: sending Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        self.value = value
    }

    func withLock<Result, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
}
#endif
