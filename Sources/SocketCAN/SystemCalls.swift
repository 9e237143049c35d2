import CANCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The one funnel every system call of this module goes through (STYLE.md point 8).
///
/// It reads `errno` immediately after the call (before anything else can overwrite it), retries `EINTR`, and
/// lets tests put an ``ErrnoInjector`` in front of the real call, so that unplugged adapters (`ENODEV`), a link
/// going down (`ENETDOWN`), a full transmit queue (`ENOBUFS`) and missing permissions (`EPERM`) are exercised on
/// a host without CAN.
package struct SystemCalls: Sendable {
    /// Real calls, nothing injected.
    package static let live = SystemCalls(injector: nil)

    /// Consulted before each real call; a returned errno is reported as if the call had failed with it.
    package let injector: (any ErrnoInjector)?

    /// Creates a funnel with an optional injector (tests).
    package init(injector: (any ErrnoInjector)?) {
        self.injector = injector
    }

    /// Performs `body` (a call that returns -1 and sets errno on failure), retrying EINTR.
    ///
    /// - Throws: ``SystemCallFailure`` with the name of the call and the errno.
    @discardableResult
    package func call<Result: FixedWidthInteger>(
        _ name: SystemCallName, _ body: () -> Result
    ) throws(SystemCallFailure) -> Result {
        while true {
            if let injected = injector?.errno(before: name) {
                if injected == .interrupted { continue }
                throw SystemCallFailure(call: name, errno: injected)
            }
            let result = body()
            if result == -1 {
                let code = Errno(rawValue: Glibc.errno)
                if code == .interrupted { continue }
                throw SystemCallFailure(call: name, errno: code)
            }
            return result
        }
    }

    /// Performs `body` for calls that return a negative errno instead of setting errno (libsocketcan's
    /// netlink helpers return -1 and leave the reason in errno; libudev returns `-errno`).
    @discardableResult
    package func callReturningNegativeErrno(
        _ name: SystemCallName, _ body: () -> Int32
    ) throws(SystemCallFailure) -> Int32 {
        while true {
            if let injected = injector?.errno(before: name) {
                if injected == .interrupted { continue }
                throw SystemCallFailure(call: name, errno: injected)
            }
            Glibc.errno = 0
            let result = body()
            if result < 0 {
                let code = result == -1 && Glibc.errno != 0 ? Errno(rawValue: Glibc.errno) : Errno(rawValue: -result)
                if code == .interrupted { continue }
                throw SystemCallFailure(call: name, errno: code)
            }
            return result
        }
    }
}

/// Something that decides, before each real system call, whether it should fail instead (tests).
package protocol ErrnoInjector: Sendable {
    /// The errno the call named `name` should fail with, or nil to make the real call.
    func errno(before name: SystemCallName) -> Errno?
}

/// An injector that plays back a script: for each call name, a queue of errnos (nil entries let the real
/// call through), and records every call it saw.
package final class ScriptedErrnoInjector: ErrnoInjector {
    private struct State {
        var script: [SystemCallName: [Errno?]]
        var log: [SystemCallName] = []
    }
    private let state: Locked<State>

    /// Creates an injector that fails the named calls with the listed errnos, in order, then lets them through.
    package init(_ script: [SystemCallName: [Errno?]]) {
        state = Locked(State(script: script))
    }

    package func errno(before name: SystemCallName) -> Errno? {
        state.withLock { state in
            state.log.append(name)
            guard var queue = state.script[name], !queue.isEmpty else { return nil }
            let next = queue.removeFirst()
            state.script[name] = queue
            return next
        }
    }

    /// Every call seen so far, in order (injected failures and real calls alike).
    package var log: [SystemCallName] { state.withLock { $0.log } }
}

/// The name of a system or library call, for errors and for injection.
package struct SystemCallName: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    package let rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }

    package static let socket = SystemCallName(rawValue: "socket")
    package static let bind = SystemCallName(rawValue: "bind")
    package static let setsockopt = SystemCallName(rawValue: "setsockopt")
    package static let getsockopt = SystemCallName(rawValue: "getsockopt")
    package static let write = SystemCallName(rawValue: "write")
    package static let read = SystemCallName(rawValue: "read")
    package static let open = SystemCallName(rawValue: "open")
    package static let recvmsg = SystemCallName(rawValue: "recvmsg")
    package static let poll = SystemCallName(rawValue: "poll")
    package static let close = SystemCallName(rawValue: "close")
    package static let ioctl = SystemCallName(rawValue: "ioctl")
    package static let fcntl = SystemCallName(rawValue: "fcntl")
    package static let eventfd = SystemCallName(rawValue: "eventfd")
    package static let interfaceIndex = SystemCallName(rawValue: "if_nametoindex")
    package static let interfaceName = SystemCallName(rawValue: "if_indextoname")
    package static let linkQuery = SystemCallName(rawValue: "netlink query")
    package static let linkConfigure = SystemCallName(rawValue: "netlink configure")

    package var description: String { rawValue }
}

/// A POSIX error number, as an open code space.
public struct Errno: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The errno value.
    public let rawValue: Int32
    /// Wraps an errno value.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `EINTR`: interrupted by a signal; the funnel retries.
    public static let interrupted = Errno(rawValue: EINTR)
    /// `EAGAIN`: would block.
    public static let wouldBlock = Errno(rawValue: EAGAIN)
    /// `ENOBUFS`: the interface's transmit queue is full.
    public static let noBufferSpace = Errno(rawValue: ENOBUFS)
    /// `ENODEV`: the device went away (adapter unplugged) or never was.
    public static let noDevice = Errno(rawValue: ENODEV)
    /// `ENXIO`: no such device or address.
    public static let noSuchDeviceOrAddress = Errno(rawValue: ENXIO)
    /// `ENETDOWN`: the interface is down.
    public static let networkDown = Errno(rawValue: ENETDOWN)
    /// `EPERM`: operation not permitted.
    public static let notPermitted = Errno(rawValue: EPERM)
    /// `EACCES`: permission denied.
    public static let accessDenied = Errno(rawValue: EACCES)
    /// `EAFNOSUPPORT`: address family (PF_CAN) not supported.
    public static let addressFamilyNotSupported = Errno(rawValue: EAFNOSUPPORT)
    /// `EPROTONOSUPPORT`: protocol (CAN_RAW, CAN_ISOTP) not supported.
    public static let protocolNotSupported = Errno(rawValue: EPROTONOSUPPORT)
    /// `EINVAL`: invalid argument.
    public static let invalidArgument = Errno(rawValue: EINVAL)
    /// `EOPNOTSUPP`: operation not supported.
    public static let operationNotSupported = Errno(rawValue: EOPNOTSUPP)
    /// `ECOMM`: ISO-TP protocol error (flow control timeout, wrong sequence number).
    public static let communicationError = Errno(rawValue: ECOMM)
    /// `EILSEQ`: ISO-TP received a malformed or unexpected frame.
    public static let illegalSequence = Errno(rawValue: EILSEQ)
    /// `EMSGSIZE`: message too long.
    public static let messageTooLong = Errno(rawValue: EMSGSIZE)
    /// `EBADMSG`: bad message (ISO-TP padding check failed).
    public static let badMessage = Errno(rawValue: EBADMSG)
    /// `ETIMEDOUT`: timed out.
    public static let timedOut = Errno(rawValue: ETIMEDOUT)
    /// `EBUSY`: device or resource busy (bitrate change on a running interface).
    public static let busy = Errno(rawValue: EBUSY)

    /// The symbolic name and the C library's message ("ENOBUFS: No buffer space available").
    public var description: String {
        let names: [Int32: String] = [
            EINTR: "EINTR", EAGAIN: "EAGAIN", ENOBUFS: "ENOBUFS", ENODEV: "ENODEV", ENXIO: "ENXIO",
            ENETDOWN: "ENETDOWN", EPERM: "EPERM", EACCES: "EACCES", EAFNOSUPPORT: "EAFNOSUPPORT",
            EPROTONOSUPPORT: "EPROTONOSUPPORT", EINVAL: "EINVAL", EOPNOTSUPP: "EOPNOTSUPP", ECOMM: "ECOMM",
            EILSEQ: "EILSEQ", EMSGSIZE: "EMSGSIZE", EBADMSG: "EBADMSG", ETIMEDOUT: "ETIMEDOUT", EBUSY: "EBUSY",
        ]
        let message = String(cString: strerror(rawValue))
        return "\(names[rawValue] ?? "errno \(rawValue)"): \(message)"
    }
}

/// A system call that failed: which one and with what errno. Mapped to ``SocketCANError`` by the caller,
/// which knows the interface and the operation.
package struct SystemCallFailure: Error, Hashable, Sendable {
    package var call: SystemCallName
    package var errno: Errno
}
