import ArgumentParser
import CANCore
import FoundationEssentials
import SocketCAN
import VirtualVehicle

/// `cardiag simulate`: serve a scenario's ECUs on a SocketCAN interface, for testing tools against.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve a virtual vehicle (a scenario file) on a CAN interface until interrupted.",
        discussion: """
            Each ECU of the scenario answers on its ids (Toyota sub-addresses included) with its codes, \
            identification and behaviours (latency, response-pending runs, silence, negative responses, flow \
            control, late first frames, failing clears). Scenarios: Fixtures/scenarios/.

            Exit status: 0 after --duration, 64 usage error, 65 bad scenario, 66 no such file, 69 interface \
            cannot be opened.
            """)

    @Option(name: [.customShort("i"), .long], help: "The SocketCAN interface to answer on.")
    var interface: String = "can1"

    @Option(help: "The scenario JSON file.")
    var scenario: String

    @Option(help: "Stop after this many seconds (default: run until interrupted).")
    var duration: Double?

    func run() async throws {
        let loaded = try SimulateCommand.load(scenario)
        let socket: CANRawSocket
        do {
            socket = try CANRawSocket(interface: interface)
        } catch {
            Terminal.shared.diagnostic("cardiag: \(interface): \(error)")
            throw ExitCode(ScanFrontend.unavailable)
        }
        defer { socket.close() }
        let vehicle = try VirtualVehicle(scenario: loaded, transport: socket, clock: ContinuousClock())
        await vehicle.start()
        Terminal.shared.diagnostic("cardiag: serving '\(loaded.name)' (\(loaded.ecus.count) ECUs) on \(interface)")
        if let duration {
            try? await Task.sleep(for: .milliseconds(Int(duration * 1000)))
        } else {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        }
        await vehicle.stop()
    }

    /// Reads a scenario file; exits 66 when it is missing and 65 when it is invalid.
    static func load(_ path: String) throws -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            Terminal.shared.diagnostic("cardiag: \(path): no such file, or it cannot be read")
            throw ExitCode(ExitStatus.noInput.rawValue)
        }
        do {
            return try Scenario(json: Array(data), fileName: path)
        } catch {
            Terminal.shared.diagnostic("cardiag: \(error)")
            throw ExitCode(ExitStatus.dataError.rawValue)
        }
    }
}
