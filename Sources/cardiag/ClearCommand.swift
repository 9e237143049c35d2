import ArgumentParser
import CANCore
import Diagnostics
import FoundationEssentials
import SocketCAN

/// `cardiag clear`: erase trouble codes, with the codes saved first and a before/after comparison.
struct ClearCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Clear trouble codes (saved to a report file first), then read them again and compare.",
        discussion: """
            Reads the selected ECUs' codes and saves them as a JSON report (its path is printed), sends the \
            clear (UDS 14 FFFFFF, KWP 14 FF00; OBD 04 only with --obd, since it also resets the emissions \
            readiness monitors), reads the codes again and prints what was cleared and what came back. \
            Nothing is sent without --yes.

            Exit status: 0 cleared; 1 nothing done (no --yes: the plan is printed); 75 partial (an ECU did not \
            answer the clear or stopped answering); 64 usage error; 69 interface cannot be opened; 73 the \
            report file cannot be written.
            """)

    @Option(name: [.customShort("i"), .long], help: "The SocketCAN interface.")
    var interface: String = "can0"

    @Option(help: "Which ECU: dcm, all, or an address such as 7E0 or 750:C7.")
    var ecu: String

    @Flag(help: "Really clear. Without it, only the plan is printed.")
    var yes = false

    @Flag(help: "Also send OBD mode 04 (resets emissions readiness monitors).")
    var obd = false

    @Option(help: "The vehicle profile: toyota or generic.")
    var profile: String = "toyota"

    @Option(help: "A vehicle profile JSON file instead of --profile.")
    var profileFile: String?

    @Option(help: "Where to save the codes before clearing (default: cardiag-before-clear-<time>.json).")
    var save: String?

    @Option(help: "P2, ms: how long an ECU may take to start answering (updated from its 0x10 response).")
    var p2: Int = 50

    func scanOptions() throws -> ScanOptions {
        var arguments = ["-i", interface, "--ecus", ecu, "--profile", profile, "--no-advice", "--p2", String(p2)]
        if let profileFile { arguments += ["--profile-file", profileFile] }
        return try ScanOptions.parse(arguments)
    }

    func validate() throws { try scanOptions().check() }

    func run() async throws {
        let options = try scanOptions()
        let profile = try options.loadProfile()
        let ecus = try options.selection(in: profile)
        let terminal = Terminal.shared
        guard yes else {
            terminal.line("cardiag clear would, on \(interface):")
            terminal.line("  1. read and save the current codes of: \(ecus.map { "\($0.name) \($0.address)" }.joined(separator: ", "))")
            terminal.line("  2. clear them: UDS 14 FF FF FF / KWP 14 FF 00" + (obd ? " / OBD 04" : " (not OBD 04: add --obd)"))
            terminal.line("  3. read them again and compare")
            terminal.line("Nothing was sent. Add --yes to do it.")
            terminal.flush()
            throw ExitCode(1)
        }
        let socket: CANRawSocket
        do {
            socket = try CANRawSocket(interface: interface)
        } catch {
            terminal.diagnostic("cardiag: \(interface): \(error)")
            throw ExitCode(ScanFrontend.unavailable)
        }
        defer { socket.close() }
        let configuration = HealthCheck<CANRawSocket, ContinuousClock>.Configuration(
            profile: profile, ecus: ecus, timing: DiagnosticTiming(responseTimeout: .milliseconds(options.p2)),
            timestampOrigin: ScanFrontend.unixTime())
        let check = HealthCheck(configuration: configuration, transport: socket, clock: ContinuousClock())
        let before = await check.run()
        let path = save ?? "cardiag-before-clear-\(Int(ScanFrontend.unixTime().components.seconds)).json"
        guard FileManager.default.createFile(atPath: path, contents: Data(ScanReportJSON(scan: before).text().utf8)) else {
            terminal.diagnostic("cardiag: \(path): cannot write; nothing was cleared")
            throw ExitCode(ScanFrontend.cantCreate)
        }
        terminal.line("Saved the codes before clearing to \(path)")
        let after = await check.clear(consent: ServicePolicy.ClearConsent(includesOBD: obd))
        terminal.write(ClearCommand.difference(before: before, after: after).utf8)
        terminal.flush()
        if after.isPartial || after.results.contains(where: { $0.status != .answered }) { throw ExitCode(ScanFrontend.partial) }
    }

    /// Per ECU: the clear's result, the codes before, and which were cleared and which remain.
    static func difference(before: ScanReport, after: ScanReport) -> String {
        var out = ""
        for result in after.results {
            let address = result.descriptor.address
            let old = Set(before.report.dtcs.filter { $0.ecu == address }.map(\.dtc.hyphenatedText))
            let new = Set(after.report.dtcs.filter { $0.ecu == address }.map(\.dtc.hyphenatedText))
            let outcome: String =
                switch result.status {
                case .answered: "cleared"
                case .refused(let code): "clear refused (NRC 0x\(Hex.string(code, digits: 2)))"
                case .noResponse: "no response"
                case .stoppedAnswering: "stopped answering"
                case .unreached(let reason): "not reached: \(reason)"
                }
            out += "\(result.descriptor.name) \(address): \(outcome)\n"
            out += "  before: \(old.isEmpty ? "no codes" : old.sorted().joined(separator: ", "))\n"
            let gone = old.subtracting(new).sorted()
            if !gone.isEmpty { out += "  cleared: \(gone.joined(separator: ", "))\n" }
            out += "  after:  \(new.isEmpty ? "no codes" : new.sorted().joined(separator: ", "))\n"
        }
        return out
    }
}
