// Serves a scenario (a Toyota whose Remote Connect fails) on an in-process CAN bus and runs the health check
// that `cardiag scan` runs on a real car: every ECU of the Toyota profile is asked for its identification
// and trouble codes. On a car, the transport would be a SocketCAN `CANRawSocket` instead of the virtual bus.
//
//     swift run health-check ../../Fixtures/scenarios/toyota-remote-connect-failing.json
import CANCore
import Diagnostics
import Foundation
import VirtualVehicle

let path = CommandLine.arguments.dropFirst().first ?? "../../Fixtures/scenarios/toyota-remote-connect-failing.json"
guard let json = FileManager.default.contents(atPath: path) else { fatalError("cannot read \(path)") }
let scenario = try Scenario(json: Array(json), fileName: path)

// One bus, two endpoints: the vehicle's ECUs answer on one, the tester talks on the other.
let bus = VirtualCANBus(name: "vcan-example")
let vehicle = try VirtualVehicle(scenario: scenario, transport: bus.attach(name: "vehicle"), clock: ContinuousClock())
await vehicle.start()

let check = HealthCheck(
    configuration: .init(profile: .toyota, concurrency: 4), transport: bus.attach(name: "tester"),
    clock: ContinuousClock())
let scan = await check.run()
await vehicle.stop()

// One line per ECU asked, then its codes: the findings are decoded from the frames the scan recorded.
for result in scan.results {
    let outcome =
        switch result.status {
        case .answered: "answered (\(result.diagnosticProtocol?.rawValue ?? "?"))"
        case .noResponse: "no response"
        case .refused(let code): "refused (NRC 0x\(String(code, radix: 16, uppercase: true)))"
        case .stoppedAnswering: "stopped answering"
        case .unreached(let reason): "not reached: \(reason)"
        }
    print("\(result.descriptor.name): \(outcome)")
    for record in scan.report.dtcs where record.ecu == result.descriptor.address {
        print("    \(record.dtc.hyphenatedText)  \(record.dtc.status?.summary.state ?? "")")
    }
}
print("DCM verdict: \(scan.report.dcmStatus?.verdict.rawValue ?? "not asked")")
