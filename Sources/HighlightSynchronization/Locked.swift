#if HIGHLIGHT_THREAD_SANITIZER
import Glibc
#else
package import Synchronization
#endif

/// A value behind a lock: the standard library's `Mutex`, except in ThreadSanitizer builds.
///
/// On Linux, ThreadSanitizer does not see `Mutex` lock and unlock (they happen inside the uninstrumented standard
/// library), so every value a `Mutex` guards is reported as a "Swift access race" although the lock orders the
/// accesses: shown with a four-thread counter program that `Mutex` keeps exact and TSan still flags. `make sanitize`
/// builds with `HIGHLIGHT_THREAD_SANITIZER`, which puts the value behind a `pthread_mutex_t` instead, whose lock and
/// unlock the sanitizer intercepts; every other build keeps `Mutex`, at no cost (everything here is inlinable).
package struct Locked<Value>: ~Copyable {
    #if HIGHLIGHT_THREAD_SANITIZER
    @usableFromInline let storage: PthreadLockedStorage<Value>
    #else
    @usableFromInline let mutex: Mutex<Value>
    #endif

    @inlinable
    package init(_ value: sending Value) {
        #if HIGHLIGHT_THREAD_SANITIZER
        storage = PthreadLockedStorage(value)
        #else
        mutex = Mutex(value)
        #endif
    }

    /// Runs `body` with the value, holding the lock.
    @inlinable
    package borrowing func withLock<Result, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E) -> sending Result {
        #if HIGHLIGHT_THREAD_SANITIZER
        try storage.withLock(body)
        #else
        try mutex.withLock(body)
        #endif
    }
}

// Safe: the value is only reached through `withLock`, which holds the lock (the same reasoning as `Mutex`'s own
// conformance, which `Locked` only forwards to).
extension Locked: @unchecked Sendable {}

#if HIGHLIGHT_THREAD_SANITIZER
/// The ThreadSanitizer build's storage: a heap-allocated `pthread_mutex_t` (it must not move) and the value.
///
/// `@unchecked Sendable` is safe: `value` is read and written only in `withLock`, between lock and unlock.
/// Not inlinable (Glibc stays an internal import): speed is not what this build is for.
@usableFromInline
final class PthreadLockedStorage<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    @usableFromInline
    init(_ value: sending Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        self.value = value
    }

    @usableFromInline
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
