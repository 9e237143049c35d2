#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value behind a POSIX mutex: the lock this package uses in place of `Synchronization.Mutex`.
///
/// ThreadSanitizer intercepts `pthread_mutex_lock` and `pthread_mutex_unlock`, so it sees the order this lock
/// imposes. This toolchain's `Mutex` waits on futexes inside a module built without ThreadSanitizer, so every
/// access it protected was reported as a data race (`make test-sanitizers` failed on them).
///
/// `@unchecked Sendable`: `value` is read and written only inside ``withLock(_:)``, between
/// `pthread_mutex_lock` and `pthread_mutex_unlock` on a mutex that lives, unmoved, for the life of the object.
package final class Locked<Value: ~Copyable>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// Wraps `value`.
    package init(_ value: consuming Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock; `body` must not call back into this lock.
    package func withLock<Result: ~Copyable, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
