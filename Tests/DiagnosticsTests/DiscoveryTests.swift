import CANCore
import Diagnostics
import Testing
import VirtualVehicle

@Suite("ECU discovery against the virtual vehicle, in virtual time")
struct DiscoveryTests {
    @Test("finds the simulated ECUs, 11-bit and behind 750; a node sending 02 7E 00 on 7E9 every 100 ms is rejected")
    func findsECUsAndRejectsPeriodicLookAlike() async throws {
        let scenario = try loadScenario("toyota-remote-connect-failing")
        let bus = VirtualCANBus()
        let clock = ScanManualClock()
        let vehicle = try VirtualVehicle(scenario: scenario, transport: bus.attach(name: "vehicle"), clock: clock)
        await vehicle.start()
        let noisy = bus.attach(name: "noisy")
        let lookAlike = try CANFrame.classic(.standard(0x7E9)!, [0x02, 0x7E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])
        let discovery = ECUDiscovery(transport: bus.attach(name: "tester"), clock: clock)
        let result = try await runInVirtualTime(
            clock, noise: (.milliseconds(100), .milliseconds(37), { try? await noisy.send(lookAlike) })
        ) {
            try await discovery.run([.standard11Bit, .toyotaSubAddresses])
        }
        await vehicle.stop()
        #expect(
            result.found.map(\.address.description) == ["750/758 [5F]", "750/758 [C7]", "7A1/7A9", "7D0/7D8", "7E0/7E8"])
        #expect(result.found.allSatisfy { $0.protocolHint == .uds })
        #expect(!result.found.contains { $0.address.responseID.value == 0x7E9 })
        #expect(result.noisyResponses.map(\.description) == ["7E1/7E9"])
        #expect(result.unsolicitedFrames > 10)
    }

    @Test("scan --discover: found ECUs the profile lacks are scanned as unknown ECUs with protocol detection")
    func scanWithDiscovery() async throws {
        var scenario = try loadScenario("toyota-clean")
        scenario.ecus.append(
            Scenario.ECU(
                name: "Aftermarket", request: "7B3", response: "7BB", protocols: ["kwp"],
                dtcs: [Scenario.DTCEntry(code: "C1201", status: "09")]))
        let report = try await scanInVirtualTime(
            scenario, profile: .toyota, discovery: DiscoveryPlan(sweep: .init(probeInterval: .milliseconds(2))))
        let discovered = try #require(report.discovery)
        #expect(report.results.map(\.descriptor.name) == [
            "Central gateway", "Telematics (DCM)", "unknown ECU at 7B3/7BB", "Engine (ECM)",
        ])
        let unknown = try #require(report.results.first { $0.descriptor.address.requestID.value == 0x7B3 })
        #expect(unknown.diagnosticProtocol == .kwp)
        #expect(unknown.status == .answered)
        #expect(report.report.dtcs.contains { $0.dtc.code.description == "C1201" && $0.ecu == unknown.descriptor.address })
        #expect(discovered.found.count == 4)
        #expect(report.text(title: "t").contains("Discovery: 4 ECUs found with "))
    }
}
