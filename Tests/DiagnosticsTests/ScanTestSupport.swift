import CANCore
import Diagnostics
import FoundationEssentials
import VirtualVehicle

/// The package root, from this file's path.
let packageRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

/// A scenario from `Fixtures/scenarios/<name>.json`.
func loadScenario(_ name: String) throws -> Scenario {
    let path = packageRoot + "/Fixtures/scenarios/\(name).json"
    guard let data = FileManager.default.contents(atPath: path) else { throw ScenarioError(file: path, field: nil, reason: "missing") }
    return try Scenario(json: Array(data), fileName: name)
}

/// Timing for in-process scans on a shared machine: P2 wide enough that scheduling never looks like silence.
let relaxedTiming = DiagnosticTiming(responseTimeout: .milliseconds(250), extendedResponseTimeout: .milliseconds(1000))

/// Runs a health check of `profile` against `scenario` on a fresh virtual bus.
func scan(
    _ scenario: Scenario, profile: VehicleProfile = .toyota, ecus: [ECUDescriptor]? = nil,
    testerEndpoint: ((VirtualCANBus) -> Void)? = nil
) async throws -> ScanReport {
    let bus = VirtualCANBus()
    let vehicle = try VirtualVehicle(scenario: scenario, transport: bus.attach(name: "vehicle"), clock: ContinuousClock())
    await vehicle.start()
    testerEndpoint?(bus)
    let check = HealthCheck(
        configuration: .init(profile: profile, ecus: ecus, timing: relaxedTiming), transport: bus.attach(name: "tester"),
        clock: ContinuousClock())
    let report = await check.run()
    await vehicle.stop()
    return report
}

/// The profile's ECUs that the scenario has, by address (so scans do not wait on absent ECUs).
func descriptors(of scenario: Scenario, in profile: VehicleProfile) -> [ECUDescriptor] {
    profile.ecus.filter { descriptor in
        scenario.ecus.contains { ecu in
            UInt32(ecu.request, radix: 16) == descriptor.address.requestID.value
                && ecu.extendedAddress.flatMap { UInt8($0, radix: 16) } == descriptor.address.extendedAddress
        }
    }
}
