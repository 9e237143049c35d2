import CLinuxCAN

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A POSIX thread that runs one closure; for blocking reads that must not occupy Swift's cooperative pool.
struct DedicatedThread: ~Copyable {
    private var handle: pthread_t

    /// Starts `body` on a new thread.
    init(_ body: @escaping @Sendable () -> Void) {
        final class Box {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        var handle = pthread_t()
        let status = pthread_create(
            &handle, nil,
            { context in
                let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
                box.body()
                return nil
            }, context)
        // pthread_create fails only when the process is out of threads or memory; nothing sensible to do.
        precondition(status == 0, "pthread_create failed with \(status)")
        self.handle = handle
    }

    /// Waits for the thread to end.
    consuming func join() {
        pthread_join(handle, nil)
        discard self
    }

    deinit {
        pthread_detach(handle)
    }
}

/// An eventfd that wakes a thread blocked in poll(2); written once to ask the thread to stop. Closed when the
/// last reference goes away.
final class WakeSignal: Sendable {
    let descriptor: Int32

    init(systemCalls: SystemCalls) throws(SystemCallFailure) {
        descriptor = try systemCalls.call(.eventfd) { eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK)) }
    }

    /// Makes the descriptor readable (poll returns POLLIN).
    func signal() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { Glibc.write(descriptor, $0.baseAddress, 8) }
    }

    deinit {
        Glibc.close(descriptor)
    }
}
