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

    @Flag(help: .hidden)
    var virtualTime = false

    @OptionGroup var options: ScanOptions

    func validate() throws { try options.check() }

    func run() async throws {
        let loaded = try SimulateCommand.load(scenario)
        let report = try await ScenarioScan.run(loaded, options: options, virtualTime: virtualTime)
        try ScanFrontend.finish(report, options: options, title: "cardiag demo: scenario '\(loaded.name)' on a virtual bus")
    }
}

/// A health check against a scenario served on an in-process virtual bus (`cardiag demo`, `cardiag scan
/// --scenario`), on the real clock or, with `virtualTime`, on a ``SteppedClock`` with a fixed start time, so the
/// output (times and recorded timestamps included) is the same on every run.
enum ScenarioScan {
    /// The Unix time a virtual-time run starts at (2023-11-14 22:13:20 UTC).
    static let virtualStart = Duration.seconds(1_700_000_000)

    static func run(_ scenario: Scenario, options: ScanOptions, virtualTime: Bool) async throws -> ScanReport {
        if virtualTime {
            let clock = SteppedClock()
            let (bus, check) = try await prepare(scenario, options: options, clock: clock, origin: virtualStart)
            return await clock.run(activity: { bus.framesSent }) { await check() }
        }
        let (_, check) = try await prepare(
            scenario, options: options, clock: ContinuousClock(), origin: ScanFrontend.unixTime())
        return await check()
    }

    private static func prepare<ScanClock: Clock>(
        _ scenario: Scenario, options: ScanOptions, clock: ScanClock, origin: Duration
    ) async throws -> (VirtualCANBus, @Sendable () async -> ScanReport) where ScanClock.Duration == Duration {
        let bus = VirtualCANBus(name: "vcan-demo")
        let vehicle = try VirtualVehicle(scenario: scenario, transport: bus.attach(name: "vehicle"), clock: clock)
        var configuration = try options.healthCheckConfiguration(
            for: VirtualCANBus.Endpoint.self, clock: ScanClock.self, timestampOrigin: origin)
        configuration.isoTPBackend = try ISOTPBackendChoice.choose(
            preference: .auto, kernel: .unavailable("not a SocketCAN interface"), purpose: .physical)
        let check = HealthCheck(configuration: configuration, transport: bus.attach(name: "tester"), clock: clock)
        return (
            bus,
            {
                await vehicle.start()
                let report = await check.run()
                await vehicle.stop()
                return report
            }
        )
    }
}
