/// Why a SocketCAN operation failed: what went wrong, on which interface, during which operation, and what to
/// do about it.
///
/// Two errors are equal when their codes and interfaces are equal, so tests can match on
/// `SocketCANError(.interfaceDown, interface: "can0")` without spelling out the operation or errno.
public struct SocketCANError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as an open set of codes.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// A short stable name ("interface-down").
        public let rawValue: String
        /// Wraps a code name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The kernel has no PF_CAN or CAN_RAW (module `can` / `can-raw` not loaded or not built).
        public static let noCANSupport = Code(rawValue: "no-can-support")
        /// The kernel has no CAN_ISOTP sockets (module `can-isotp` missing; kernels before 5.10).
        public static let noISOTPSupport = Code(rawValue: "no-isotp-support")
        /// No interface of that name.
        public static let noSuchInterface = Code(rawValue: "no-such-interface")
        /// The interface exists but is down.
        public static let interfaceDown = Code(rawValue: "interface-down")
        /// The adapter went away while in use (unplugged).
        public static let adapterRemoved = Code(rawValue: "adapter-removed")
        /// The operation needs root or CAP_NET_ADMIN.
        public static let notPermitted = Code(rawValue: "not-permitted")
        /// The transmit queue stayed full past the configured limit (usually: nobody acknowledges frames).
        public static let transmitQueueFull = Code(rawValue: "transmit-queue-full")
        /// The interface cannot carry this frame (CAN FD frame on a classic-only interface, or MTU too small).
        public static let frameNotSupported = Code(rawValue: "frame-not-supported")
        /// A message is longer than the configured limit.
        public static let messageTooLong = Code(rawValue: "message-too-long")
        /// The kernel ISO-TP layer reported a protocol error (timeout waiting for flow control or a
        /// consecutive frame, wrong sequence number, bad padding).
        public static let isoTPProtocolError = Code(rawValue: "isotp-protocol-error")
        /// The device is busy (a bitrate change while the link is up).
        public static let busy = Code(rawValue: "busy")
        /// An invalid setting (bitrate the controller cannot do, bad option).
        public static let invalidSetting = Code(rawValue: "invalid-setting")
        /// The socket was closed.
        public static let closed = Code(rawValue: "closed")
        /// Any other system error.
        public static let systemError = Code(rawValue: "system-error")

        public var description: String { rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The interface involved ("can0"), when there is one.
    public var interface: String?
    /// The operation that failed, in words ("open a raw socket", "send a frame").
    public var operation: String
    /// The system error behind this, if any.
    public var errno: Errno?

    /// Creates an error.
    public init(_ code: Code, interface: String?, operation: String = "", errno: Errno? = nil) {
        self.code = code
        self.interface = interface
        self.operation = operation
        self.errno = errno
    }

    public static func == (lhs: SocketCANError, rhs: SocketCANError) -> Bool {
        lhs.code == rhs.code && lhs.interface == rhs.interface
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(interface)
    }

    /// A sentence for a mechanic: what happened on which interface, and the command that fixes it.
    public var description: String {
        let name = interface ?? "the CAN interface"
        let context = operation.isEmpty ? "" : " (\(operation)" + (errno.map { ": \($0)" } ?? "") + ")"
        switch code {
        case .noCANSupport:
            return "no CAN support in this kernel (modprobe can-raw)" + context
        case .noISOTPSupport:
            return "no ISO-TP support in this kernel (modprobe can-isotp; needs Linux 5.10 or later)" + context
        case .noSuchInterface:
            return "no such interface \(name) (`cardiag adapters` lists them)" + context
        case .interfaceDown:
            return "\(name) is down: run `cardiag link \(interface ?? "can0") --bitrate 500000 --up` "
                + "(needs CAP_NET_ADMIN)" + context
        case .adapterRemoved:
            return "\(name) went away: the adapter was unplugged or its driver unloaded; plug it in again and "
                + "check `cardiag adapters`" + context
        case .notPermitted:
            return "not permitted on \(name): needs root or CAP_NET_ADMIN (run with sudo)" + context
        case .transmitQueueFull:
            return "\(name) transmit queue stayed full: no other node acknowledges the frames; check the bitrate, "
                + "the wiring and the termination, and that the ignition is on" + context
        case .frameNotSupported:
            return "\(name) cannot carry this frame (CAN FD on a classic CAN interface?)" + context
        case .messageTooLong:
            return "message too long for \(name)" + context
        case .isoTPProtocolError:
            return "ISO-TP transfer on \(name) failed: the other side did not answer in time or broke the "
                + "protocol" + context
        case .busy:
            return "\(name) is busy: bring it down first (`cardiag link \(interface ?? "can0") --down`)" + context
        case .invalidSetting:
            return "\(name) rejected the setting" + context
        case .closed:
            return "the socket on \(name) is closed" + context
        default:
            return "\(name): system error" + context
        }
    }

    /// Maps a failed system call during `operation` on `interface` to the error a user should see.
    package init(_ failure: SystemCallFailure, interface: String?, operation: String) {
        let code: Code
        switch failure.errno {
        case .addressFamilyNotSupported:
            code = .noCANSupport
        case .protocolNotSupported:
            code = failure.call == .socket && operation.contains("ISO-TP") ? .noISOTPSupport : .noCANSupport
        case .noDevice, .noSuchDeviceOrAddress:
            // if_nametoindex and bind report a name that was never there; a read or write on a socket that was
            // working reports the adapter going away (the kernel's NETDEV_UNREGISTER notifier sets ENODEV).
            code =
                failure.call == .interfaceIndex || failure.call == .bind || failure.call == .linkQuery
                    || failure.call == .linkConfigure ? .noSuchInterface : .adapterRemoved
        case .networkDown:
            code = .interfaceDown
        case .notPermitted, .accessDenied:
            code = .notPermitted
        case .noBufferSpace:
            code = .transmitQueueFull
        case .communicationError, .illegalSequence, .badMessage:
            code = .isoTPProtocolError
        case .messageTooLong:
            code = .messageTooLong
        case .busy:
            code = .busy
        case .invalidArgument, .operationNotSupported:
            code = failure.call == .write ? .frameNotSupported : .invalidSetting
        default:
            code = .systemError
        }
        self.init(code, interface: interface, operation: operation, errno: failure.errno)
    }
}
