import CANCore
import Diagnostics
import Testing
import VirtualVehicle

@Suite("Functional requests: FunctionalClient with virtual time and against the virtual vehicle")
struct FunctionalClientTests {
    let engine = ECUAddress.standard(request: 0x7E0)!
    let transmission = ECUAddress.standard(request: 0x7E1)!

    func frame(_ id: UInt32, _ hex: String) -> CANFrame { try! .classic(.standard(id)!, Hex.bytes(hex)!) }

    @Test("answering ids map to physical addresses", arguments: [
        (FunctionalAddressing.obd11Bit, 0x7E8 as UInt32, false, "7E0/7E8"),
        (.obd11Bit, 0x7EF, false, "7E7/7EF"),
        (.obd11Bit, 0x7E7, false, "-"),
        (.obd11Bit, 0x18DA_F110, true, "-"),
        (.obd29Bit, 0x18DA_F110, true, "18DA10F1/18DAF110"),
        (.obd29Bit, 0x18DA_10F1, true, "-"),
        (.obd29Bit, 0x7E8, false, "-"),
    ])
    func responders(addressing: FunctionalAddressing, id: UInt32, extended: Bool, expected: String) {
        let identifier = extended ? CANIdentifier.extended(id)! : CANIdentifier.standard(id)!
        #expect(addressing.responder(answeringOn: identifier)?.description ?? "-" == expected)
    }

    @Test("one request on 7DF; answers from two ECUs, one after 0x78, one segmented with flow control to 7E0")
    func collectsEveryAnswer() async throws {
        let bus = VirtualCANBus()
        let clock = ScanManualClock()
        let ecus = bus.attach(name: "ecus")
        let log = FrameLog(bus.attach(name: "log"))
        let client = FunctionalClient(addressing: .obd11Bit, transport: bus.attach(name: "tester"), clock: clock)
        let task = Task { try await client.request([0x09, 0x02]) }
        await eventually { log.all.count == 1 && clock.sleeperCount >= 1 }
        #expect(log.all.first.map { "\($0.id) \(Hex.spaced($0.data))" } == "7DF 02 09 02 CC CC CC CC CC")
        // The transmission says 0x78 at 10 ms; the engine starts a segmented VIN at 20 ms.
        clock.advance(by: .milliseconds(10))
        try await ecus.send(frame(0x7E9, "03 7F 09 78"))
        clock.advance(by: .milliseconds(10))
        try await ecus.send(frame(0x7E8, "10 14 49 02 01 31 48 47"))
        await eventually { log.all.count == 4 }
        #expect(log.all.last.map { "\($0.id) \(Hex.spaced($0.data.prefix(3)))" } == "7E0 30 00 00")
        try await ecus.send(frame(0x7E8, "21 43 4D 38 32 36 33 33"))
        try await ecus.send(frame(0x7E8, "22 41 30 30 34 33 35 32"))
        // Past P2 (50 ms): the 0x78 keeps the window open.
        clock.advance(by: .milliseconds(900))
        await clock.settle()
        try await ecus.send(frame(0x7E9, "03 7F 09 12"))
        await eventually { clock.sleeperCount >= 1 }
        clock.advance(by: .seconds(10))
        let result = try await task.value
        #expect(result.answers[engine] == [0x49, 0x02, 0x01] + Array("1HGCM82633A004352".utf8))
        #expect(result.answers[transmission] == [0x7F, 0x09, 0x12])
        #expect(result.answers.count == 2)
        #expect(result.stillPending.isEmpty)
    }

    @Test("the window closes P2 after the request when nobody answers; a late answer is not counted")
    func closesAfterP2() async throws {
        let bus = VirtualCANBus()
        let clock = ScanManualClock()
        let ecus = bus.attach(name: "ecus")
        let log = FrameLog(bus.attach(name: "log"))
        let client = FunctionalClient(addressing: .obd29Bit, transport: bus.attach(name: "tester"), clock: clock)
        let task = Task { try await client.request([0x01, 0x00]) }
        await eventually { log.all.count == 1 && clock.sleeperCount >= 1 }
        #expect(log.all.first?.id == .extended(0x18DB_33F1))
        clock.advance(by: .milliseconds(50))
        let result = try await task.value
        #expect(result.answers.isEmpty)
        #expect(result.elapsed == .milliseconds(50))
        try await ecus.send(try .classic(.extended(0x18DA_F110)!, [0x06, 0x41, 0x00, 0x88, 0x18, 0x00, 0x00]))
    }

    @Test("requests outside the policy or longer than a single frame are refused before the bus")
    func refused() async throws {
        let bus = VirtualCANBus()
        let log = FrameLog(bus.attach(name: "log"))
        let client = FunctionalClient(addressing: .obd11Bit, transport: bus.attach(name: "tester"), clock: ContinuousClock())
        for request: [UInt8] in [[0x04], [0x14, 0xFF, 0xFF, 0xFF], [0x01, 0x00, 0x20, 0x40, 0x60, 0x80, 0xA0, 0xC0]] {
            await #expect(throws: DiagnosticsError(.requestNotAllowed, "")) { try await client.request(request) }
        }
        #expect(log.all.isEmpty)
    }

    @Test("generic profile against three OBD ECUs: every request functional, every ECU's codes and the VIN")
    func healthCheckThreeECUs() async throws {
        let scenario = try loadScenario("generic-obd-three-ecus")
        let report = try await scanInVirtualTime(scenario, profile: .generic)
        #expect(report.results.map(\.descriptor.address.description) == ["7E0/7E8", "7E1/7E9", "7E2/7EA"])
        #expect(report.results.allSatisfy { $0.status == .answered && $0.diagnosticProtocol == .obd })
        #expect(report.results[0].requestsSent == ["7DF: 01 00", "7DF: 03", "7DF: 07", "7DF: 0A", "7DF: 09 02"])
        // Nothing went out physically but flow control for the segmented VIN.
        let requestIDs = Set(report.frames.filter { (0x7E0...0x7E7).contains($0.id.value) }.map { $0.data.first! >> 4 })
        #expect(requestIDs == [0x3])
        #expect(report.frames.filter { $0.id.value == 0x7DF }.count == 5)
        let codes = Set(report.report.dtcs.map { "\($0.ecu.responseID) \($0.dtc.code) \($0.service)" })
        #expect(codes == ["7E8 P0420 03", "7E8 P0171 07", "7E8 P0420 0A", "7E9 P0700 03"])
        #expect(report.report.ecus.first { $0.address == engine }?.identification["vin"] == "1HGCM82633A004352")
    }

    @Test("generic profile, nothing answers on 7DF or 18DB33F1: the selected ECUs are listed as not responding")
    func nobodyAnswers() async throws {
        let scenario = Scenario(name: "empty", description: "", ecus: [])
        let report = try await scanInVirtualTime(
            scenario, profile: .generic, ecus: Array(VehicleProfile.generic.ecus.prefix(2)))
        #expect(report.results.map(\.status) == [.noResponse, .noResponse])
        #expect(report.results[0].requestsSent == ["7DF: 01 00", "18DB33F1: 01 00"])
    }
}
