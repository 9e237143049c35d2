import CANCore
import Diagnostics
import Testing

@Suite("One retry of the first request after a P2 timeout")
struct FirstRequestRetryTests {
    let engine = ECUAddress.standard(request: 0x7E0)!

    func frame(_ id: UInt32, _ hex: String) -> CANFrame { try! .classic(.standard(id)!, Hex.bytes(hex)!) }

    @Test("an answer 20 ms past P2 is taken: the request went out again and the late answer counts")
    func lateFirstAnswer() async throws {
        let bus = VirtualCANBus()
        let clock = ScanManualClock()
        let ecu = bus.attach(name: "ecu")
        let log = FrameLog(bus.attach(name: "log"))
        let client = DiagnosticClient(address: engine, transport: bus.attach(name: "tester"), clock: clock)
        let task = Task { try await client.request([0x10, 0x01]) }
        await eventually { log.all.count == 1 && clock.sleeperCount >= 1 }
        clock.advance(by: .milliseconds(50))
        await eventually { log.all.count == 2 && clock.sleeperCount >= 1 }
        #expect(log.all.map { Array($0.data.prefix(3)) } == [[0x02, 0x10, 0x01], [0x02, 0x10, 0x01]])
        clock.advance(by: .milliseconds(20))
        try await ecu.send(frame(0x7E8, "06 50 01 00 32 01 F4"))
        let result = try await task.value
        #expect(result.response == [0x50, 0x01, 0x00, 0x32, 0x01, 0xF4])
        #expect(result.elapsed == .milliseconds(70))
        #expect(await client.log.contains("7E0/7E8: no answer to the first request within P2; asking once more"))
        await client.close()
    }

    @Test("after the ECU has answered, a P2 timeout is final: no retry")
    func noRetryLater() async throws {
        let bus = VirtualCANBus()
        let clock = ScanManualClock()
        let ecu = bus.attach(name: "ecu")
        let log = FrameLog(bus.attach(name: "log"))
        let client = DiagnosticClient(address: engine, transport: bus.attach(name: "tester"), clock: clock)
        let first = Task { try await client.request([0x10, 0x01]) }
        await eventually { log.all.count == 1 }
        try await ecu.send(frame(0x7E8, "02 50 01"))
        #expect(try await first.value.response == [0x50, 0x01])
        let second = Task { try await client.request([0x19, 0x02, 0xFF]) }
        await eventually { log.all.count == 3 && clock.sleeperCount >= 1 }
        clock.advance(by: .milliseconds(50))
        let result = try await second.value
        #expect(result.response == nil)
        #expect(log.all.count == 3)
        await client.close()
    }

    @Test("a silent ECU: two P2 timeouts, then no response, the request listed once")
    func silentECU() async throws {
        let scenario = try loadScenario("toyota-dcm-silent")
        let dcm = try #require(VehicleProfile.toyota.ecus.first { $0.role == .dcm })
        let report = try await scanInVirtualTime(scenario, profile: .toyota, ecus: [dcm])
        #expect(report.results.map(\.status) == [.noResponse])
        #expect(report.results[0].requestsSent == ["10 01"])
        #expect(report.frames.filter { $0.id.value == 0x750 }.map { Array($0.data.prefix(4)) } == [
            [0xC7, 0x02, 0x10, 0x01], [0xC7, 0x02, 0x10, 0x01],
        ])
        #expect(report.results[0].log.filter { $0.contains("P2 timeout (50 ms)") }.count == 2)
    }
}
