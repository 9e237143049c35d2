import CLibSocketCAN

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The link-level state of one CAN interface, read through libsocketcan (netlink).
public struct CANLinkStatus: Hashable, Sendable {
    /// The interface name.
    public var interface: String
    /// The controller state, if the driver reports one (virtual interfaces do not).
    public var state: CANBusState?
    /// The nominal bitrate in bits per second, when set.
    public var bitrate: UInt32?
    /// The sample point in tenths of a percent (875 = 87.5 %), when set.
    public var samplePointPerMille: UInt32?
    /// Transmit and receive error counters, if the driver reports them.
    public var errorCounters: (transmit: UInt16, receive: UInt16)?
    /// The automatic restart delay after bus-off; zero means no automatic restart.
    public var restartDelay: Duration?

    public static func == (lhs: CANLinkStatus, rhs: CANLinkStatus) -> Bool {
        lhs.interface == rhs.interface && lhs.state == rhs.state && lhs.bitrate == rhs.bitrate
            && lhs.samplePointPerMille == rhs.samplePointPerMille
            && lhs.errorCounters?.transmit == rhs.errorCounters?.transmit
            && lhs.errorCounters?.receive == rhs.errorCounters?.receive && lhs.restartDelay == rhs.restartDelay
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(interface)
        hasher.combine(state)
        hasher.combine(bitrate)
    }
}

/// Reads and changes a CAN interface's link settings through libsocketcan: state, bitrate, error counters,
/// restart delay; up, down and restart. Changes need root or CAP_NET_ADMIN.
public struct CANLinkController: Sendable {
    private let systemCalls: SystemCalls

    /// A controller making real netlink calls.
    public init() { systemCalls = .live }

    /// A controller whose calls go through `systemCalls` (tests).
    package init(systemCalls: SystemCalls) { self.systemCalls = systemCalls }

    /// The interface's state, bitrate, error counters and restart delay. Values the driver does not report are nil.
    ///
    /// - Throws: ``SocketCANError`` `noSuchInterface` when the interface does not exist.
    public func status(of interface: String) throws(SocketCANError) -> CANLinkStatus {
        // Ask for the state first: it fails for a missing interface, and the other queries may fail on
        // virtual interfaces (vcan has no bit timing) without that being an error.
        // libsocketcan prints "Cannot find device" to stderr for a missing name; ask the kernel first.
        guard interfaceExists(interface) else {
            throw SocketCANError(.noSuchInterface, interface: interface, operation: "read link state")
        }
        var rawState: Int32 = 0
        let state: CANBusState?
        do {
            try systemCalls.callReturningNegativeErrno(.linkQuery) { can_get_state(interface, &rawState) }
            state = CANBusState(rawValue: rawState)
        } catch {
            state = nil  // virtual interfaces (vcan) have no controller state
        }
        var timing = can_bittiming()
        let hasTiming =
            (try? systemCalls.callReturningNegativeErrno(.linkQuery) { can_get_bittiming(interface, &timing) })
            != nil && timing.bitrate != 0
        var counters = can_berr_counter()
        let hasCounters =
            (try? systemCalls.callReturningNegativeErrno(.linkQuery) { can_get_berr_counter(interface, &counters) })
            != nil
        var restart: UInt32 = 0
        let hasRestart =
            (try? systemCalls.callReturningNegativeErrno(.linkQuery) { can_get_restart_ms(interface, &restart) }) != nil
        return CANLinkStatus(
            interface: interface, state: state, bitrate: hasTiming ? timing.bitrate : nil,
            samplePointPerMille: hasTiming && timing.sample_point != 0 ? timing.sample_point : nil,
            errorCounters: hasCounters ? (counters.txerr, counters.rxerr) : nil,
            restartDelay: hasRestart ? .milliseconds(restart) : nil)
    }

    /// Brings the interface down (`can_do_stop`).
    public func stop(_ interface: String) throws(SocketCANError) {
        try configure(interface, "bring the link down") { can_do_stop(interface) }
    }

    /// Brings the interface up (`can_do_start`).
    public func start(_ interface: String) throws(SocketCANError) {
        try configure(interface, "bring the link up") { can_do_start(interface) }
    }

    /// Restarts a controller that is bus-off (`can_do_restart`); the interface must be up.
    public func restart(_ interface: String) throws(SocketCANError) {
        try configure(interface, "restart the controller") { can_do_restart(interface) }
    }

    /// Sets the nominal bitrate in bits per second (`can_set_bitrate`); the interface must be down.
    public func setBitrate(_ interface: String, bitsPerSecond: UInt32) throws(SocketCANError) {
        try configure(interface, "set the bitrate to \(bitsPerSecond)") { can_set_bitrate(interface, bitsPerSecond) }
    }

    /// Sets the automatic restart delay after bus-off; zero turns automatic restart off (`can_set_restart_ms`).
    public func setRestartDelay(_ interface: String, milliseconds: UInt32) throws(SocketCANError) {
        try configure(interface, "set restart-ms to \(milliseconds)") { can_set_restart_ms(interface, milliseconds) }
    }

    private func configure(_ interface: String, _ operation: String, _ body: () -> Int32) throws(SocketCANError) {
        guard interfaceExists(interface) else {
            throw SocketCANError(.noSuchInterface, interface: interface, operation: operation)
        }
        do {
            try systemCalls.callReturningNegativeErrno(.linkConfigure, body)
        } catch {
            // libsocketcan reports a missing interface with errno left at 0 or as EINVAL/ENODEV depending on the
            // call; check the name so the user gets the helpful message.
            if !interfaceExists(interface) {
                throw SocketCANError(.noSuchInterface, interface: interface, operation: operation, errno: error.errno)
            }
            // libsocketcan prints the netlink error ("RTNETLINK answers: Operation not permitted") but errno may
            // have changed by the time it returns; without CAP_NET_ADMIN the cause is certain.
            if hasNetworkAdminCapability() == false {
                throw SocketCANError(.notPermitted, interface: interface, operation: operation, errno: .notPermitted)
            }
            throw SocketCANError(error, interface: interface, operation: operation)
        }
    }

    /// Whether this process holds CAP_NET_ADMIN (bit 12 of `CapEff` in /proc/self/status); nil when unknown.
    func hasNetworkAdminCapability() -> Bool? {
        guard let descriptor = try? systemCalls.call(.open, { open("/proc/self/status", O_RDONLY | O_CLOEXEC) }) else {
            return nil
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65536 {
            let count = chunk.withUnsafeMutableBytes { buffer in
                (try? systemCalls.call(.read) { read(descriptor, buffer.baseAddress, buffer.count) }) ?? 0
            }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return Self.hasNetworkAdminCapability(procStatus: String(decoding: bytes, as: UTF8.self))
    }

    /// Reads CAP_NET_ADMIN (capability 12) from the `CapEff:` line of a /proc/PID/status text.
    package static func hasNetworkAdminCapability(procStatus: String) -> Bool? {
        for line in procStatus.split(separator: "\n") where line.hasPrefix("CapEff:") {
            guard
                let mask = UInt64(
                    line.dropFirst("CapEff:".count).trimmingPrefix(while: { $0 == " " || $0 == "\t" }), radix: 16)
            else { return nil }
            return mask & (1 << 12) != 0
        }
        return nil
    }

    /// True when an interface of this name exists (a CAN one or not).
    func interfaceExists(_ interface: String) -> Bool {
        let index = try? systemCalls.call(.interfaceIndex) {
            let index = if_nametoindex(interface)
            return index == 0 ? -1 : Int32(bitPattern: index)
        }
        return index != nil
    }
}
