public import CANCore
import CLinuxCAN
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A SocketCAN raw socket (`PF_CAN`, `SOCK_RAW`, `CAN_RAW`) bound to one interface: sends and receives classic
/// and CAN FD frames, with kernel receive filters, error frames and kernel receive timestamps.
///
/// The socket owns its descriptor and closes it in ``close()`` or when the last reference goes away.
/// It is a class, not a `~Copyable` struct, on purpose: one socket is shared by the tasks that send (each
/// ECU's ISO-TP channel in a concurrent scan), the one that receives and the recorder, so it needs shared
/// ownership with one close; a noncopyable value could be owned by one of them only. The descriptor itself never
/// leaves the class, and `close()` is idempotent behind a lock.
/// Receiving runs on one dedicated thread per socket (see ``receivedFrames()``); sending waits out a full
/// transmit queue (`ENOBUFS`: USB adapters queue only about ten frames) with a short backoff.
///
/// ```swift
/// let socket = try CANRawSocket(interface: "can0", options: .init(errorClasses: .all))
/// try await socket.send(.classic(.standard(0x7DF)!, [0x02, 0x01, 0x00]))
/// for try await frame in socket.receivedFrames() { print(frame.timestamp!, frame.id, frame.data) }
/// ```
public final class CANRawSocket: CANTransport, Sendable {
    /// How the socket is set up at open.
    public struct Options: Hashable, Sendable {
        /// Accept and send CAN FD frames (`CAN_RAW_FD_FRAMES`). The interface must be FD-capable (MTU 72).
        public var fdFrames: Bool
        /// Kernel receive filters: nil receives every frame; an empty list receives no data frames at all.
        public var filters: [CANFilter]?
        /// The error classes to receive as error frames (`CAN_RAW_ERR_FILTER`); empty for none.
        public var errorClasses: CANErrorClass
        /// Also receive the frames this socket sends (`CAN_RAW_RECV_OWN_MSGS`).
        public var receiveOwnMessages: Bool
        /// Let other sockets on this host see the frames this socket sends (`CAN_RAW_LOOPBACK`, on by default).
        public var loopback: Bool
        /// How long a send may wait for room in a full transmit queue before it fails with
        /// ``SocketCANError/Code/transmitQueueFull``.
        public var transmitQueueTimeout: Duration
        /// How many frames each subscription may have waiting before newer ones are dropped and counted in
        /// ``droppedFrameCount``.
        public var receiveBufferLimit: Int

        /// Creates options; the defaults receive every data frame and no error frames.
        public init(
            fdFrames: Bool = false, filters: [CANFilter]? = nil, errorClasses: CANErrorClass = [],
            receiveOwnMessages: Bool = false, loopback: Bool = true, transmitQueueTimeout: Duration = .seconds(2),
            receiveBufferLimit: Int = 4096
        ) {
            self.fdFrames = fdFrames
            self.filters = filters
            self.errorClasses = errorClasses
            self.receiveOwnMessages = receiveOwnMessages
            self.loopback = loopback
            self.transmitQueueTimeout = transmitQueueTimeout
            self.receiveBufferLimit = receiveBufferLimit
        }
    }

    /// The name of an "interface" that binds to every CAN interface at once (as candump's `any`).
    public static let anyInterface = "any"

    /// The interface name ("can0"), or "any".
    public let name: String
    /// The options the socket was opened with.
    public let options: Options

    private let descriptor: Int32
    private let systemCalls: SystemCalls
    private let receiver: FrameReceiver
    /// True once closed; sends hold this lock for their nonblocking write so close cannot race them.
    private let closed = Locked(false)

    /// Opens a raw socket on `interface` ("can0", or ``anyInterface``) with `options`.
    ///
    /// - Throws: ``SocketCANError``: `noCANSupport` when the kernel has no CAN (the message names the module),
    ///   `noSuchInterface` for an unknown name, `notPermitted`, or `systemError`.
    public convenience init(interface: String, options: Options = Options()) throws(SocketCANError) {
        try self.init(interface: interface, options: options, systemCalls: .live)
    }

    /// Opens a raw socket with the system calls going through `systemCalls` (tests inject errors there).
    package init(interface: String, options: Options, systemCalls: SystemCalls) throws(SocketCANError) {
        func failure(_ failure: SystemCallFailure, _ operation: String) -> SocketCANError {
            SocketCANError(failure, interface: interface, operation: operation)
        }
        let descriptor: Int32
        do {
            descriptor = try systemCalls.call(.socket) {
                socket(
                    PF_CAN, Int32(SOCK_RAW.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                    CAN_RAW)
            }
        } catch {
            throw failure(error, "open a raw CAN socket")
        }
        do {
            try Self.configure(descriptor, options: options, systemCalls: systemCalls)
            let index: Int32 =
                interface == Self.anyInterface
                ? 0
                : try systemCalls.call(.interfaceIndex) {
                    let index = if_nametoindex(interface)
                    return index == 0 ? -1 : Int32(bitPattern: index)
                }
            var address = sockaddr_can()
            address.can_family = sa_family_t(AF_CAN)
            address.can_ifindex = index
            _ = try withUnsafePointer(to: &address) { pointer throws(SystemCallFailure) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic throws(SystemCallFailure) in
                    try systemCalls.call(.bind) {
                        bind(descriptor, generic, socklen_t(MemoryLayout<sockaddr_can>.size))
                    }
                }
            }
            self.receiver = try FrameReceiver(
                descriptor: descriptor, interface: interface == Self.anyInterface ? nil : interface,
                systemCalls: systemCalls, bufferLimit: options.receiveBufferLimit)
        } catch {
            Glibc.close(descriptor)
            throw failure(error, error.call == .interfaceIndex || error.call == .bind ? "bind" : "set socket options")
        }
        self.name = interface
        self.options = options
        self.descriptor = descriptor
        self.systemCalls = systemCalls
    }

    /// Adopts an already-open descriptor that behaves like a raw CAN socket (tests use one end of a
    /// `socketpair(AF_UNIX, SOCK_SEQPACKET)`); applies no socket options.
    package init(adopting descriptor: Int32, name: String, options: Options, systemCalls: SystemCalls)
        throws(SocketCANError)
    {
        do {
            receiver = try FrameReceiver(
                descriptor: descriptor, interface: name, systemCalls: systemCalls,
                bufferLimit: options.receiveBufferLimit)
        } catch {
            throw SocketCANError(error, interface: name, operation: "open")
        }
        self.name = name
        self.options = options
        self.descriptor = descriptor
        self.systemCalls = systemCalls
    }

    deinit {
        close()
    }

    /// Stops receiving (every subscription ends normally) and closes the descriptor. Calling it again does nothing.
    public func close() {
        let wasClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        receiver.stop()
        Glibc.close(descriptor)
    }

    /// Frames lost so far: dropped by the kernel because the receive queue overflowed, or dropped here because a
    /// subscription fell more than ``Options/receiveBufferLimit`` frames behind.
    public var droppedFrameCount: UInt64 {
        receiver.kernelDroppedFrames.load(ordering: .relaxed)
            + receiver.subscriberDroppedFrames.load(ordering: .relaxed)
    }

    // MARK: - Sending

    /// Sends one frame. Returns once the kernel has queued it for the adapter.
    ///
    /// A full transmit queue (`ENOBUFS`, `EAGAIN`) is waited out with a backoff from 0.25 ms up to 8 ms, for at
    /// most ``Options/transmitQueueTimeout``.
    ///
    /// - Throws: ``SocketCANError``: `interfaceDown`, `adapterRemoved`, `frameNotSupported` (FD frame without
    ///   ``Options/fdFrames``, or on a classic interface), `transmitQueueFull`, `closed`.
    public func send(_ frame: CANFrame) async throws {
        if frame.isFD && !options.fdFrames {
            throw SocketCANError(
                .frameNotSupported, interface: name,
                operation: "send a CAN FD frame on a socket opened without fdFrames")
        }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: options.transmitQueueTimeout)
        var backoff = Duration.microseconds(250)
        while true {
            if try transmitOnce(frame) { return }
            guard clock.now < deadline else {
                throw SocketCANError(
                    .transmitQueueFull, interface: name, operation: "send a frame", errno: .noBufferSpace)
            }
            try await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .milliseconds(8))
        }
    }

    /// One nonblocking write: true when the frame was queued, false when the queue is full.
    private func transmitOnce(_ frame: CANFrame) throws(SocketCANError) -> Bool {
        try closed.withLock { closed throws(SocketCANError) in
            guard !closed else { throw SocketCANError(.closed, interface: name, operation: "send a frame") }
            let result: Result<Bool, SystemCallFailure> = withUnsafeTemporaryAllocation(
                byteCount: KernelFrameCodec.fdSize, alignment: 8
            ) { buffer in
                let size = KernelFrameCodec.encode(frame, into: buffer)
                do throws(SystemCallFailure) {
                    try systemCalls.call(.write) { Glibc.write(descriptor, buffer.baseAddress, size) }
                    return .success(true)
                } catch  where error.errno == .noBufferSpace || error.errno == .wouldBlock {
                    return .success(false)
                } catch {
                    return .failure(error)
                }
            }
            switch result {
            case .success(let queued): return queued
            case .failure(let error): throw SocketCANError(error, interface: name, operation: "send a frame")
            }
        }
    }

    // MARK: - Receiving

    /// Every frame received from now on, with the kernel's receive timestamp (`SO_TIMESTAMPNS`, time since the
    /// Unix epoch) and the interface name.
    ///
    /// Each call is a new subscription; all subscriptions see every frame. The sequence ends normally when the
    /// socket is closed and throws ``SocketCANError`` when the link goes down (`interfaceDown`) or the adapter is
    /// unplugged (`adapterRemoved`).
    public func receivedFrames() -> AsyncThrowingStream<CANFrame, any Error> {
        receiver.subscribe()
    }

    // MARK: - Options

    private static func configure(_ descriptor: Int32, options: Options, systemCalls: SystemCalls)
        throws(SystemCallFailure)
    {
        func set<Value>(_ level: Int32, _ option: Int32, _ value: Value) throws(SystemCallFailure) {
            _ = try withUnsafeBytes(of: value) { bytes throws(SystemCallFailure) in
                try systemCalls.call(.setsockopt) {
                    setsockopt(descriptor, level, option, bytes.baseAddress, socklen_t(bytes.count))
                }
            }
        }
        let raw = cardiag_sol_can_raw
        if let filters = options.filters {
            let kernelFilters = filters.map { filter in
                let words = filter.kernelWords
                return can_filter(can_id: words.id, can_mask: words.mask)
            }
            let result = kernelFilters.withUnsafeBytes { bytes in
                Result { () throws(SystemCallFailure) in
                    try systemCalls.call(.setsockopt) {
                        setsockopt(descriptor, raw, Int32(CAN_RAW_FILTER), bytes.baseAddress, socklen_t(bytes.count))
                    }
                }
            }
            _ = try result.get()
        }
        if !options.errorClasses.isEmpty {
            try set(raw, Int32(CAN_RAW_ERR_FILTER), options.errorClasses.rawValue & cardiag_can_err_mask)
        }
        if !options.loopback { try set(raw, Int32(CAN_RAW_LOOPBACK), Int32(0)) }
        if options.receiveOwnMessages { try set(raw, Int32(CAN_RAW_RECV_OWN_MSGS), Int32(1)) }
        if options.fdFrames { try set(raw, Int32(CAN_RAW_FD_FRAMES), Int32(1)) }
        try set(SOL_SOCKET, SO_TIMESTAMPNS, Int32(1))
        try set(SOL_SOCKET, SO_RXQ_OVFL, Int32(1))
    }
}

extension CANErrorClass {
    /// Every error class the kernel reports (`CAN_ERR_MASK`), for ``CANRawSocket/Options/errorClasses``.
    public static let all = CANErrorClass(rawValue: 0x3FF)
}
