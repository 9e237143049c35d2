import ArgumentParser
import SocketCAN

/// `cardiag link IFACE`: shows or changes a CAN interface's bitrate, restart delay and up/down state through
/// libsocketcan.
struct LinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Show or set a CAN interface's bitrate and state (changes need root or CAP_NET_ADMIN).",
        discussion: """
            Without options, prints the state. A bitrate or restart-ms change takes the link down first (the \
            kernel refuses them on a running controller) and brings it back up if it was up or --up is given. \
            Example: cardiag link can0 --bitrate 500000 --up
            """)

    @Argument(help: "The CAN interface, e.g. can0.")
    var interface: String

    @Option(help: "Nominal bitrate in bit/s (Toyota/Lexus diagnostic CAN: 500000).")
    var bitrate: UInt32?

    @Flag(help: "Bring the link up.")
    var up = false

    @Flag(help: "Bring the link down.")
    var down = false

    @Option(name: .customLong("restart-ms"), help: "Automatic restart delay after bus-off in ms (0: off).")
    var restartMilliseconds: UInt32?

    @Flag(help: "Restart a controller that is bus-off.")
    var restart = false

    func validate() throws {
        if up && down { throw ValidationError("--up and --down exclude each other") }
        if bitrate == 0 { throw ValidationError("--bitrate must be above 0") }
        if restart && down { throw ValidationError("--restart needs the link up; leave out --down") }
    }

    func run() async throws {
        let controller = CANLinkController()
        let terminal = Terminal.shared
        do {
            let before = try controller.status(of: interface)
            let wasUp = before.state != nil && before.state != .stopped
            let reconfigure = bitrate != nil || restartMilliseconds != nil
            if down || (reconfigure && wasUp) { try controller.stop(interface) }
            if let bitrate { try controller.setBitrate(interface, bitsPerSecond: bitrate) }
            if let restartMilliseconds { try controller.setRestartDelay(interface, milliseconds: restartMilliseconds) }
            if up || (reconfigure && wasUp && !down) { try controller.start(interface) }
            if restart { try controller.restart(interface) }
            let after = try controller.status(of: interface)
            var text = "\(interface): \(after.state?.description ?? "no state (virtual)")"
            if let bitrate = after.bitrate { text += ", bitrate \(bitrate)" }
            if let sample = after.samplePointPerMille { text += ", sample point \(Double(sample) / 10)%" }
            if let counters = after.errorCounters { text += ", errors tx \(counters.transmit) rx \(counters.receive)" }
            if let delay = after.restartDelay {
                let milliseconds = delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
                text += ", restart-ms \(milliseconds)"
            }
            terminal.line(text)
            terminal.flush()
        } catch {
            terminal.diagnostic("cardiag link: \(error)")
            // sysexits: EX_NOPERM for permissions, EX_UNAVAILABLE for a missing or broken interface.
            throw ExitCode(error.code == .notPermitted ? 77 : 69)
        }
    }
}
