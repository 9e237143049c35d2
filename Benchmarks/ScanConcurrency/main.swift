// Benchmark, not a test: a health check of 30 virtual ECUs that each take 50 ms to answer every request, run
// with the asked-for concurrency levels on an in-process bus. With N ECUs at a time it should take about
// ceil(30 / N) rounds of one ECU's time, not the sum of all of them.
//
//   swift run -c release cardiag-bench-scan [CONCURRENCY...]     (default: 1 8 30)
import CANCore
import Diagnostics
import VirtualVehicle

let ecuCount = 30
let latency = 50
let levels = CommandLine.arguments.dropFirst().compactMap { Int($0) }

let scenario = Scenario(
    name: "bench-30", description: "30 UDS ECUs answering every request after \(latency) ms",
    ecus: (0..<ecuCount).map { index in
        let request = 0x600 + 0x10 * index
        return Scenario.ECU(
            name: "ECU \(index)", request: String(request, radix: 16), response: String(request + 8, radix: 16),
            protocols: ["uds"], identifiers: ["F190": "BENCH\(index)"],
            behaviour: { var behaviour = Scenario.Behaviour(); behaviour.latencyMilliseconds = latency; return behaviour }())
    })
let profile = VehicleProfile(
    name: "bench",
    ecus: (0..<ecuCount).map { index in
        ECUDescriptor(
            name: "ECU \(index)", address: .standard(request: UInt32(0x600 + 0x10 * index))!, protocols: [.uds],
            source: "benchmark")
    })

func milliseconds(_ duration: Duration) -> Int {
    Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
}

print("\(ecuCount) ECUs, \(latency) ms per answer")
for concurrency in levels.isEmpty ? [1, 8, 30] : levels {
    let bus = VirtualCANBus()
    let vehicle = try VirtualVehicle(scenario: scenario, transport: bus.attach(name: "vehicle"), clock: ContinuousClock())
    await vehicle.start()
    let check = HealthCheck(
        configuration: .init(
            profile: profile, concurrency: concurrency, timing: DiagnosticTiming(responseTimeout: .milliseconds(200))),
        transport: bus.attach(name: "tester"), clock: ContinuousClock())
    let report = await check.run()
    await vehicle.stop()
    let answered = report.results.filter { $0.status == .answered }.count
    let perECU = report.results.map(\.elapsed).max() ?? .zero
    let sum = report.results.map(\.elapsed).reduce(Duration.zero, +)
    let rounds = (ecuCount + concurrency - 1) / concurrency
    print(
        "concurrency \(concurrency): total \(milliseconds(report.elapsed)) ms; slowest ECU \(milliseconds(perECU)) ms; "
            + "\(rounds) round(s) x slowest = \(rounds * milliseconds(perECU)) ms; sum of ECU times \(milliseconds(sum)) ms; "
            + "\(answered)/\(ecuCount) answered")
}
