public import CANCore
import CLinuxCAN

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The kernel's ISO 15765-2 transport (`PF_CAN`, `SOCK_DGRAM`, `CAN_ISOTP`, Linux 5.10 and later): a second
/// ISO-TP backend beside the user-space one, where the kernel does segmentation, flow control and timing.
///
/// One socket is one point-to-point connection: it sends on `transmitID` and receives on `receiveID`. Each
/// ``send(_:)`` is one whole message and each ``receive()`` returns one whole message. Blocking calls run on a
/// dedicated thread each, never on Swift's cooperative pool.
///
/// ```swift
/// guard KernelISOTPSocket.isSupported() else { ... }  // else fall back to the user-space ISOTP module
/// let dcm = try KernelISOTPSocket(
///     interface: "can0", transmitID: .standard(0x750)!, receiveID: .standard(0x758)!,
///     options: .init(extendedAddress: 0xC7, transmitPadding: 0x00))
/// try await dcm.send([0x19, 0x02, 0xFF])
/// let response = try await dcm.receive()
/// ```
public final class KernelISOTPSocket: Sendable {
    /// The CAN frame format the kernel uses for the transfer (`CAN_ISOTP_LL_OPTS`).
    public enum LinkLayer: Hashable, Sendable {
        /// Classic CAN frames with 8 data bytes.
        case classic
        /// CAN FD frames of `dataLength` bytes (8, 12, 16, 20, 24, 32, 48 or 64), optionally with bit rate switch.
        case fd(dataLength: Int, bitRateSwitch: Bool)
    }

    /// How the connection is set up at open.
    public struct Options: Hashable, Sendable {
        /// The extended (N_AE) address byte put before each frame's PCI, e.g. 0xC7 for the Toyota DCM; nil for
        /// normal addressing (`CAN_ISOTP_EXTEND_ADDR`).
        public var extendedAddress: UInt8?
        /// The extended address expected in received frames when it differs from ``extendedAddress``
        /// (`CAN_ISOTP_RX_EXT_ADDR`).
        public var receiveExtendedAddress: UInt8?
        /// Pad sent frames to full length with this byte (`CAN_ISOTP_TX_PADDING`); nil sends short frames.
        public var transmitPadding: UInt8?
        /// Reject received frames that are not padded to full length with this byte (`CAN_ISOTP_CHK_PAD_LEN`,
        /// `CAN_ISOTP_CHK_PAD_DATA`); nil accepts any padding.
        public var requiredReceivePadding: UInt8?
        /// The block size this side announces in its flow control frames (0: no limit).
        public var blockSize: UInt8
        /// The separation time this side asks for between consecutive frames (STmin), 0-127 ms or 100-900 µs.
        public var separationTimeMinimum: Duration
        /// How many flow-control WAIT frames this side accepts before giving up (0: none sent or accepted).
        public var maximumWaitFrames: UInt8
        /// Let ``send(_:)`` return only after the last frame went out (`CAN_ISOTP_WAIT_TX_DONE`), so transfer
        /// errors are reported by the send itself.
        public var waitForTransmitCompletion: Bool
        /// Classic or CAN FD frames.
        public var linkLayer: LinkLayer
        /// The longest message ``receive()`` accepts; longer ones fail with `messageTooLong`.
        public var maximumMessageLength: Int

        /// Creates options; the defaults are normal addressing, no padding, BS 0, STmin 0, and waiting for
        /// transmit completion.
        public init(
            extendedAddress: UInt8? = nil, receiveExtendedAddress: UInt8? = nil, transmitPadding: UInt8? = nil,
            requiredReceivePadding: UInt8? = nil, blockSize: UInt8 = 0, separationTimeMinimum: Duration = .zero,
            maximumWaitFrames: UInt8 = 0, waitForTransmitCompletion: Bool = true, linkLayer: LinkLayer = .classic,
            maximumMessageLength: Int = 4095
        ) {
            self.extendedAddress = extendedAddress
            self.receiveExtendedAddress = receiveExtendedAddress
            self.transmitPadding = transmitPadding
            self.requiredReceivePadding = requiredReceivePadding
            self.blockSize = blockSize
            self.separationTimeMinimum = separationTimeMinimum
            self.maximumWaitFrames = maximumWaitFrames
            self.waitForTransmitCompletion = waitForTransmitCompletion
            self.linkLayer = linkLayer
            self.maximumMessageLength = maximumMessageLength
        }
    }

    /// The interface name.
    public let interface: String
    /// The id this socket sends on.
    public let transmitID: CANIdentifier
    /// The id this socket receives on.
    public let receiveID: CANIdentifier
    /// The options the socket was opened with.
    public let options: Options

    private struct State {
        var closed = false
        var activeOperations = 0
    }
    private let descriptor: Int32
    private let systemCalls: SystemCalls
    private let state = Locked(State())
    private let closeSignal: WakeSignal

    /// Whether this kernel has ISO-TP sockets: `socket(PF_CAN, SOCK_DGRAM, CAN_ISOTP)` succeeds.
    /// `EPROTONOSUPPORT` (module missing) and `EAFNOSUPPORT` (no CAN at all) mean no.
    public static func isSupported() -> Bool {
        probe(systemCalls: .live) == nil
    }

    /// Nil when ISO-TP sockets work, else the error explaining why not.
    package static func probe(systemCalls: SystemCalls) -> SocketCANError? {
        do {
            let descriptor = try systemCalls.call(.socket) {
                socket(PF_CAN, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), CAN_ISOTP)
            }
            Glibc.close(descriptor)
            return nil
        } catch {
            return SocketCANError(error, interface: nil, operation: "open an ISO-TP socket")
        }
    }

    /// Opens and binds an ISO-TP socket.
    ///
    /// - Throws: ``SocketCANError``: `noISOTPSupport`, `noCANSupport`, `noSuchInterface`, `invalidSetting`.
    public convenience init(
        interface: String, transmitID: CANIdentifier, receiveID: CANIdentifier, options: Options = Options()
    ) throws(SocketCANError) {
        try self.init(
            interface: interface, transmitID: transmitID, receiveID: receiveID, options: options, systemCalls: .live)
    }

    package init(
        interface: String, transmitID: CANIdentifier, receiveID: CANIdentifier, options: Options,
        systemCalls: SystemCalls
    ) throws(SocketCANError) {
        let descriptor: Int32
        do {
            descriptor = try systemCalls.call(.socket) {
                socket(PF_CAN, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), CAN_ISOTP)
            }
        } catch {
            throw SocketCANError(error, interface: interface, operation: "open an ISO-TP socket")
        }
        var operation = "set ISO-TP options"
        do {
            try Self.configure(descriptor, options: options, systemCalls: systemCalls)
            operation = "bind"
            let index = try systemCalls.call(.interfaceIndex) {
                let index = if_nametoindex(interface)
                return index == 0 ? -1 : Int32(bitPattern: index)
            }
            var address = sockaddr_can()
            address.can_family = sa_family_t(AF_CAN)
            address.can_ifindex = index
            address.can_addr.tp.tx_id = KernelFrameCodec.kernelID(transmitID)
            address.can_addr.tp.rx_id = KernelFrameCodec.kernelID(receiveID)
            _ = try withUnsafePointer(to: &address) { pointer throws(SystemCallFailure) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic throws(SystemCallFailure) in
                    try systemCalls.call(.bind) {
                        bind(descriptor, generic, socklen_t(MemoryLayout<sockaddr_can>.size))
                    }
                }
            }
            closeSignal = try WakeSignal(systemCalls: systemCalls)
        } catch {
            Glibc.close(descriptor)
            throw SocketCANError(error, interface: interface, operation: operation)
        }
        self.interface = interface
        self.transmitID = transmitID
        self.receiveID = receiveID
        self.options = options
        self.descriptor = descriptor
        self.systemCalls = systemCalls
    }

    deinit {
        close()
    }

    /// Closes the socket. A receive in progress ends with `closed`; calling again does nothing.
    public func close() {
        let closeNow = state.withLock { state in
            defer { state.closed = true }
            return !state.closed && state.activeOperations == 0
        }
        closeSignal.signal()
        if closeNow { Glibc.close(descriptor) }
    }

    /// Sends one message (1 to 4095 bytes on classic CAN). With ``Options/waitForTransmitCompletion`` it returns
    /// after the last consecutive frame went out, and flow-control timeouts are thrown here.
    ///
    /// - Throws: ``SocketCANError``: `isoTPProtocolError` (no flow control from the other side), `interfaceDown`,
    ///   `adapterRemoved`, `messageTooLong`, `closed`.
    public func send(_ message: [UInt8]) async throws {
        try await perform("send an ISO-TP message") { descriptor, systemCalls throws(SystemCallFailure) in
            _ = try message.withUnsafeBytes { bytes in
                Result { () throws(SystemCallFailure) in
                    try systemCalls.call(.write) { Glibc.write(descriptor, bytes.baseAddress, bytes.count) }
                }
            }.get()
            return ()
        }
    }

    /// Waits for the next whole message. Cancelling the task ends the wait with `CancellationError`.
    ///
    /// - Throws: ``SocketCANError``: `isoTPProtocolError` (a consecutive frame did not come in time, wrong
    ///   sequence number), `messageTooLong`, `interfaceDown`, `adapterRemoved`, `closed`.
    public func receive() async throws -> [UInt8] {
        let cancelSignal: WakeSignal
        do {
            cancelSignal = try WakeSignal(systemCalls: systemCalls)
        } catch {
            throw SocketCANError(error, interface: interface, operation: "receive an ISO-TP message")
        }
        let cancelDescriptor = cancelSignal.descriptor
        let closeDescriptor = closeSignal.descriptor
        let limit = options.maximumMessageLength
        let message = try await withTaskCancellationHandler {
            try await perform("receive an ISO-TP message") {
                descriptor, systemCalls throws(SystemCallFailure) -> [UInt8]? in
                var polled = [
                    pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: cancelDescriptor, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: closeDescriptor, events: Int16(POLLIN), revents: 0),
                ]
                _ = try polled.withUnsafeMutableBufferPointer { buffer throws(SystemCallFailure) in
                    try systemCalls.call(.poll) { poll(buffer.baseAddress, 3, -1) }
                }
                if polled[1].revents != 0 || polled[2].revents != 0 { return nil }
                // One byte more than the limit, to tell "exactly the limit" from "longer".
                var buffer = [UInt8](repeating: 0, count: limit + 1)
                let count = try buffer.withUnsafeMutableBytes { bytes in
                    Result { () throws(SystemCallFailure) in
                        try systemCalls.call(.read) { Glibc.read(descriptor, bytes.baseAddress, bytes.count) }
                    }
                }.get()
                guard count <= limit else { throw SystemCallFailure(call: .read, errno: .messageTooLong) }
                buffer.removeLast(buffer.count - count)
                return buffer
            }
        } onCancel: {
            cancelSignal.signal()
        }
        guard let message else {
            try Task.checkCancellation()
            throw SocketCANError(.closed, interface: interface, operation: "receive an ISO-TP message")
        }
        return message
    }

    /// Runs one blocking operation on a dedicated thread, keeping the descriptor open until it ends.
    private func perform<Value: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (Int32, SystemCalls) throws(SystemCallFailure) -> Value
    ) async throws(SocketCANError) -> Value {
        let admitted = state.withLock { state in
            guard !state.closed else { return false }
            state.activeOperations += 1
            return true
        }
        guard admitted else { throw SocketCANError(.closed, interface: interface, operation: operation) }
        let descriptor = self.descriptor
        let systemCalls = self.systemCalls
        let result: Result<Value, SystemCallFailure> = await withCheckedContinuation { continuation in
            _ = DedicatedThread {
                continuation.resume(
                    returning: Result { () throws(SystemCallFailure) in try body(descriptor, systemCalls) })
            }
        }
        let closeNow = state.withLock { state in
            state.activeOperations -= 1
            return state.closed && state.activeOperations == 0
        }
        if closeNow { Glibc.close(descriptor) }
        switch result {
        case .success(let value): return value
        case .failure(let failure): throw SocketCANError(failure, interface: interface, operation: operation)
        }
    }

    // MARK: - Options

    /// The STmin byte for a separation time (ISO 15765-2 Table 20 (2016)): 0x00-0x7F whole milliseconds,
    /// 0xF1-0xF9 100-900 µs. Times between are rounded up to the next value that can be expressed; above
    /// 127 ms is 127 ms.
    package static func separationTimeByte(_ time: Duration) -> UInt8 {
        let microseconds = time.components.seconds * 1_000_000 + time.components.attoseconds / 1_000_000_000_000
        if microseconds <= 0 { return 0 }
        if microseconds <= 900 { return 0xF0 + UInt8((microseconds + 99) / 100) }
        return UInt8(min(127, (microseconds + 999) / 1000))
    }

    private static func configure(_ descriptor: Int32, options: Options, systemCalls: SystemCalls)
        throws(SystemCallFailure)
    {
        func set<Value>(_ option: Int32, _ value: Value) throws(SystemCallFailure) {
            _ = try withUnsafeBytes(of: value) { bytes throws(SystemCallFailure) in
                try systemCalls.call(.setsockopt) {
                    setsockopt(descriptor, cardiag_sol_can_isotp, option, bytes.baseAddress, socklen_t(bytes.count))
                }
            }
        }
        var general = can_isotp_options()
        var flags: Int32 = 0
        if let address = options.extendedAddress {
            flags |= CAN_ISOTP_EXTEND_ADDR
            general.ext_address = address
        }
        if let address = options.receiveExtendedAddress {
            flags |= CAN_ISOTP_EXTEND_ADDR | CAN_ISOTP_RX_EXT_ADDR
            general.rx_ext_address = address
            if options.extendedAddress == nil { general.ext_address = address }
        }
        if let padding = options.transmitPadding {
            flags |= CAN_ISOTP_TX_PADDING
            general.txpad_content = padding
        }
        if let padding = options.requiredReceivePadding {
            flags |= CAN_ISOTP_RX_PADDING | CAN_ISOTP_CHK_PAD_LEN | CAN_ISOTP_CHK_PAD_DATA
            general.rxpad_content = padding
        }
        if options.waitForTransmitCompletion { flags |= CAN_ISOTP_WAIT_TX_DONE }
        general.flags = UInt32(flags)
        general.frame_txtime = UInt32(CAN_ISOTP_DEFAULT_FRAME_TXTIME)
        try set(CAN_ISOTP_OPTS, general)

        var flowControl = can_isotp_fc_options()
        flowControl.bs = options.blockSize
        flowControl.stmin = separationTimeByte(options.separationTimeMinimum)
        flowControl.wftmax = options.maximumWaitFrames
        try set(CAN_ISOTP_RECV_FC, flowControl)

        if case .fd(let dataLength, let bitRateSwitch) = options.linkLayer {
            var linkLayer = can_isotp_ll_options()
            linkLayer.mtu = UInt8(KernelFrameCodec.fdSize)
            linkLayer.tx_dl = UInt8(clamping: dataLength)
            linkLayer.tx_flags = bitRateSwitch ? UInt8(CANFD_BRS) : 0
            try set(CAN_ISOTP_LL_OPTS, linkLayer)
        }
    }
}
