/// The state of a CAN controller (the kernel's `enum can_state`, linux/can/netlink.h), as `ip -details link`
/// and libsocketcan report it.
public enum CANBusState: Int32, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Error counters below 96: normal operation.
    case errorActive = 0
    /// An error counter reached 96.
    case errorWarning = 1
    /// An error counter reached 128: the controller only sends passive error flags.
    case errorPassive = 2
    /// The transmit error counter passed 255: the controller is off the bus until restarted.
    case busOff = 3
    /// The interface is down.
    case stopped = 4
    /// The controller is in sleep mode.
    case sleeping = 5

    /// The name `ip -details link` prints, lower-cased with hyphens ("error-active", "bus-off").
    public var description: String {
        switch self {
        case .errorActive: "error-active"
        case .errorWarning: "error-warning"
        case .errorPassive: "error-passive"
        case .busOff: "bus-off"
        case .stopped: "stopped"
        case .sleeping: "sleeping"
        }
    }

    /// What a mechanic should make of this state.
    public var advice: String? {
        switch self {
        case .errorActive: nil
        case .errorWarning: "errors on the bus: check the bitrate and the wiring"
        case .errorPassive: "many errors: wrong bitrate, a missing terminator, or no other node on the bus"
        case .busOff: "the controller gave up; fix the cause, then `cardiag link IFACE --restart` (or --restart-ms)"
        case .stopped: "the interface is down: `cardiag link IFACE --bitrate 500000 --up`"
        case .sleeping: "the controller sleeps; bring the interface down and up again"
        }
    }
}
