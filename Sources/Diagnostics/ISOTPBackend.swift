/// Which ISO-TP implementation carries a conversation.
public enum ISOTPBackend: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The kernel's `CAN_ISOTP` socket (Linux 5.10+): segmentation, flow control and timing in the kernel.
    case kernel
    /// The user-space `ISOTPChannel` over a raw CAN socket (or any `CANTransport`).
    case user

    /// "kernel ISO-TP (CAN_ISOTP)" or "user-space ISO-TP".
    public var description: String { self == .kernel ? "kernel ISO-TP (CAN_ISOTP)" : "user-space ISO-TP" }
}

/// The choice of ISO-TP implementation, as a rule without I/O: the user's preference (`--isotp`), whether the
/// kernel has ISO-TP sockets (asked once by the caller: `KernelISOTPSocket.isSupported()`), and what the
/// conversation needs.
public struct ISOTPBackendChoice: Hashable, Sendable, CustomStringConvertible {
    /// What the user asked for.
    public enum Preference: String, Hashable, Sendable, CaseIterable {
        /// The kernel's socket where it can serve, else user space.
        case auto
        /// The kernel's socket; an error when the kernel lacks it.
        case kernel
        /// Always user space.
        case user
    }

    /// Whether the kernel's ISO-TP socket can be used on the interface.
    public enum KernelSupport: Hashable, Sendable {
        /// `socket(PF_CAN, SOCK_DGRAM, CAN_ISOTP)` works and the interface is SocketCAN.
        case available
        /// It cannot; why ("the kernel lacks CAN_ISOTP (EPROTONOSUPPORT)", "not a SocketCAN interface").
        case unavailable(String)
    }

    /// What the conversation is.
    public enum Purpose: Hashable, Sendable {
        /// Requests to one ECU on its own ids (with or without a sub-address).
        case physical
        /// A functional request that several ECUs answer on different ids: one kernel socket receives on
        /// one id only.
        case functional
        /// A discovery sweep: many sub-addresses behind one id, and replies that must be checked frame by frame.
        case discovery
    }

    /// The backend chosen.
    public var backend: ISOTPBackend
    /// Why, for the verbose output and the report.
    public var reason: String

    /// Chooses the backend.
    ///
    /// - Throws: ``DiagnosticsError`` `isoTPBackendUnavailable` when the kernel backend is asked for and the
    ///   kernel cannot serve.
    public static func choose(
        preference: Preference, kernel: KernelSupport, purpose: Purpose
    ) throws(DiagnosticsError) -> ISOTPBackendChoice {
        switch purpose {
        case .functional:
            return ISOTPBackendChoice(backend: .user, reason: "functional requests are answered on several ids")
        case .discovery:
            return ISOTPBackendChoice(backend: .user, reason: "discovery checks every reply frame by frame")
        case .physical:
            break
        }
        switch (preference, kernel) {
        case (.user, _):
            return ISOTPBackendChoice(backend: .user, reason: "--isotp user")
        case (.kernel, .available):
            return ISOTPBackendChoice(backend: .kernel, reason: "--isotp kernel")
        case (.kernel, .unavailable(let why)):
            throw DiagnosticsError(.isoTPBackendUnavailable, "--isotp kernel: \(why)")
        case (.auto, .available):
            return ISOTPBackendChoice(backend: .kernel, reason: "the kernel has CAN_ISOTP")
        case (.auto, .unavailable(let why)):
            return ISOTPBackendChoice(backend: .user, reason: why)
        }
    }

    /// "kernel ISO-TP (CAN_ISOTP): the kernel has CAN_ISOTP".
    public var description: String { "\(backend) (\(reason))" }
}
