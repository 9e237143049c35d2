import ArgumentParser
import CANCore
import Diagnostics
import VirtualVehicle

/// `cardiag demo`: a full health check against a virtual Toyota whose Remote Connect fails, in-process.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a health check against a virtual Toyota with a failing Remote Connect (no hardware).",
        discussion: """
            Serves the scenario on an in-process virtual CAN bus and scans it exactly as `cardiag scan` scans \
            a car: the DCM holds B15C4 (current), the head unit B15DB (history), the gateway U0198. \
            Exit status as for `cardiag scan`.
            """)

    @Option(help: "The scenario to serve.")
    var scenario: String = "Fixtures/scenarios/toyota-remote-connect-failing.json"

    @OptionGroup var options: ScanOptions

    func validate() throws { try options.check() }

    func run() async throws {
        let loaded = try SimulateCommand.load(scenario)
        let bus = VirtualCANBus(name: "vcan-demo")
        let vehicle = try VirtualVehicle(scenario: loaded, transport: bus.attach(name: "vehicle"), clock: ContinuousClock())
        await vehicle.start()
        let profile = try options.loadProfile()
        let configuration = HealthCheck<VirtualCANBus.Endpoint, ContinuousClock>.Configuration(
            profile: profile, ecus: try options.selection(in: profile), concurrency: options.concurrency,
            timing: DiagnosticTiming(responseTimeout: .milliseconds(options.p2)), timestampOrigin: ScanFrontend.unixTime())
        let check = HealthCheck(configuration: configuration, transport: bus.attach(name: "tester"), clock: ContinuousClock())
        let report = await check.run()
        await vehicle.stop()
        try ScanFrontend.finish(report, options: options, title: "cardiag demo: scenario '\(loaded.name)' on a virtual bus")
    }
}
