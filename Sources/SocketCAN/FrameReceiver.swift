import CANCore
import CLinuxCAN
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads frames from one raw CAN socket on a dedicated thread and hands each to every current subscriber.
///
/// The thread blocks in poll(2) on the socket and a wake-up eventfd, so it costs nothing while the bus is quiet,
/// never occupies Swift's cooperative pool, and stops at once when the socket is closed. It starts with the first
/// subscription and runs until ``stop()`` or until the socket reports an error (the link went down, the adapter
/// was unplugged), which ends every subscription with that error.
final class FrameReceiver: Sendable {
    typealias Continuation = AsyncThrowingStream<CANFrame, any Error>.Continuation

    private struct State: ~Copyable {
        var subscribers: [Int: Continuation] = [:]
        var nextSubscriber = 0
        var thread: DedicatedThread?
        var started = false
        var stopped = false
        /// The error that ended the thread; new subscriptions end with it at once.
        var failure: SocketCANError?
    }

    private let descriptor: Int32
    private let interface: String?
    private let systemCalls: SystemCalls
    private let bufferLimit: Int
    private let wake: WakeSignal
    private let state = Locked(State())
    /// Frames the kernel dropped because the socket's receive queue overflowed (SO_RXQ_OVFL, cumulative).
    let kernelDroppedFrames = Atomic<UInt64>(0)
    /// Frames dropped because a subscriber fell more than `bufferLimit` frames behind.
    let subscriberDroppedFrames = Atomic<UInt64>(0)

    /// - Parameters:
    ///   - interface: the bound interface's name, or nil for a socket bound to every interface (each frame's
    ///     interface is then looked up from the index the kernel reports).
    ///   - bufferLimit: how many frames each subscriber may have waiting before newer ones are dropped.
    init(descriptor: Int32, interface: String?, systemCalls: SystemCalls, bufferLimit: Int) throws(SystemCallFailure) {
        self.descriptor = descriptor
        self.interface = interface
        self.systemCalls = systemCalls
        self.bufferLimit = bufferLimit
        wake = try WakeSignal(systemCalls: systemCalls)
    }

    /// A new subscription: every frame received from now on.
    func subscribe() -> AsyncThrowingStream<CANFrame, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: CANFrame.self, throwing: (any Error).self, bufferingPolicy: .bufferingOldest(bufferLimit))
        state.withLock { state in
            if let failure = state.failure {
                continuation.finish(throwing: failure)
                return
            }
            if state.stopped {
                continuation.finish(throwing: SocketCANError(.closed, interface: interface, operation: "receive"))
                return
            }
            let key = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[key] = continuation
            continuation.onTermination = { [weak self] _ in
                _ = self?.state.withLock { $0.subscribers.removeValue(forKey: key) }
            }
            if !state.started {
                // The new thread waits for this lock before it touches the state, so starting it here is safe.
                state.started = true
                state.thread = DedicatedThread { [self] in run() }
            }
        }
        return stream
    }

    /// Stops the thread (if it runs), waits for it, and ends every subscription normally.
    func stop() {
        wake.signal()
        let thread = state.withLock { state in
            state.stopped = true
            return state.thread.take()
        }
        thread?.join()
        let subscribers = state.withLock { state in
            defer { state.subscribers = [:] }
            return state.subscribers
        }
        for continuation in subscribers.values { continuation.finish() }
    }

    // MARK: - The thread

    private func run() {
        let frameBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: KernelFrameCodec.fdSize, alignment: 8)
        let controlSize = cardiag_cmsg_space_receive()
        let control = UnsafeMutableRawBufferPointer.allocate(byteCount: controlSize, alignment: 8)
        let address = UnsafeMutablePointer<sockaddr_can>.allocate(capacity: 1)
        let vector = UnsafeMutablePointer<iovec>.allocate(capacity: 1)
        let message = UnsafeMutablePointer<msghdr>.allocate(capacity: 1)
        let polled = UnsafeMutablePointer<pollfd>.allocate(capacity: 2)
        defer {
            frameBuffer.deallocate()
            control.deallocate()
            address.deallocate()
            vector.deallocate()
            message.deallocate()
            polled.deallocate()
        }
        var interfaceNames: [Int32: String] = [:]

        func fail(_ failure: SystemCallFailure) {
            let error = SocketCANError(failure, interface: interface, operation: "receive frames")
            let subscribers = state.withLock { state in
                state.failure = error
                defer { state.subscribers = [:] }
                return state.subscribers
            }
            for continuation in subscribers.values { continuation.finish(throwing: error) }
        }

        while true {
            polled[0] = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            polled[1] = pollfd(fd: wake.descriptor, events: Int16(POLLIN), revents: 0)
            do {
                try systemCalls.call(.poll) { poll(polled, 2, -1) }
            } catch {
                return fail(error)
            }
            if polled[1].revents != 0 { return }
            // Drain everything queued; POLLERR (link down, adapter gone) surfaces as recvmsg's errno.
            while true {
                vector.pointee = iovec(iov_base: frameBuffer.baseAddress, iov_len: frameBuffer.count)
                message.pointee = msghdr()
                message.pointee.msg_name = UnsafeMutableRawPointer(address)
                message.pointee.msg_namelen = socklen_t(MemoryLayout<sockaddr_can>.size)
                message.pointee.msg_iov = vector
                message.pointee.msg_iovlen = 1
                message.pointee.msg_control = control.baseAddress
                message.pointee.msg_controllen = controlSize
                let count: Int
                do {
                    count = try systemCalls.call(.recvmsg) { recvmsg(descriptor, message, Int32(MSG_DONTWAIT)) }
                } catch  where error.errno == .wouldBlock {
                    break
                } catch {
                    return fail(error)
                }

                var time = timespec()
                let timestamp: Duration? =
                    cardiag_cmsg_timestamp(message, &time) == 1
                    ? .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec) : nil
                var kernelDropped: UInt32 = 0
                if cardiag_cmsg_dropped(message, &kernelDropped) == 1 {
                    kernelDroppedFrames.store(UInt64(kernelDropped), ordering: .relaxed)
                }
                var name = interface
                if name == nil, message.pointee.msg_namelen >= MemoryLayout<sockaddr_can>.size {
                    let index = address.pointee.can_ifindex
                    if let known = interfaceNames[index] {
                        name = known
                    } else if let found = Self.interfaceName(index: index, systemCalls: systemCalls) {
                        interfaceNames[index] = found
                        name = found
                    }
                }
                guard
                    let frame = try? KernelFrameCodec.decode(
                        UnsafeRawBufferPointer(rebasing: frameBuffer[0..<count]), timestamp: timestamp, interface: name)
                else { continue }  // a CAN XL frame or a short read: not ours to deliver
                deliver(frame)
            }
        }
    }

    private func deliver(_ frame: CANFrame) {
        state.withLock { state in
            for continuation in state.subscribers.values {
                if case .dropped = continuation.yield(frame) {
                    subscriberDroppedFrames.add(1, ordering: .relaxed)
                }
            }
        }
    }

    static func interfaceName(index: Int32, systemCalls: SystemCalls) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        let found = try? buffer.withUnsafeMutableBufferPointer { pointer in
            try systemCalls.call(.interfaceName) { if_indextoname(UInt32(index), pointer.baseAddress) == nil ? -1 : 0 }
        }
        guard found != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
