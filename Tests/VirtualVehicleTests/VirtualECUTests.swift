import CANCore
import Testing
import VirtualVehicle

private func ecu(
    protocols: [String] = ["uds"], dtcs: [Scenario.DTCEntry] = [], identifiers: [String: String] = [:],
    behaviour: Scenario.Behaviour = Scenario.Behaviour(), extendedAddress: String? = nil
) throws -> VirtualECU {
    try VirtualECU(
        Scenario.ECU(
            name: "test", request: extendedAddress == nil ? "7E0" : "750", response: extendedAddress == nil ? "7E8" : "758",
            extendedAddress: extendedAddress, protocols: protocols, dtcs: dtcs, identifiers: identifiers,
            behaviour: behaviour))
}

private func payloads(_ replies: [VirtualECU.Reply]) -> [String] { replies.map { Hex.spaced($0.payload) } }

@Suite("VirtualECU: answers by protocol and behaviour")
struct VirtualECUTests {
    @Test(
        "UDS answers",
        arguments: [
            ("10 01", ["50 01 00 32 01 F4"]),
            ("19 02 FF", ["59 02 FF 95 C4 00 09 95 DB 00 28"]),
            ("19 02 01", ["59 02 FF 95 C4 00 09"]),
            ("19 01 FF", ["59 01 FF 01 00 02"]),
            ("22 F1 90", ["62 F1 90 4A 54 4D"]),
            ("22 F1 8C", ["7F 22 31"]),
            ("3E 00", ["7E 00"]),
            ("3E 80", []),
            ("1A 88", ["7F 1A 11"]),
            ("03", ["7F 03 11"]),
        ])
    func uds(_ request: String, _ expected: [String]) throws {
        var responder = try ecu(
            dtcs: [.init(code: "B15C4-00", status: "09"), .init(code: "B15DB-00", status: "28")],
            identifiers: ["F190": "JTM"], extendedAddress: "C7")
        #expect(payloads(responder.respond(to: Hex.bytes(request)!)) == expected)
    }

    @Test(
        "KWP and OBD answers",
        arguments: [
            ("18 00 FF 00", ["58 01 03 35 08"]),
            ("13 FF 00", ["53 01 03 35"]),
            ("1A 88", ["5A 88 4A 54 48"]),
            ("10 01", ["7F 10 12"]),
            ("19 02 FF", ["7F 19 11"]),
            ("03", ["43 01 03 35"]),
            ("07", ["47 00"]),
            ("0A", ["4A 00"]),
            ("3E 01", ["7E 01"]),
            ("14 FF 00", ["54 FF 00"]),
        ])
    func kwpAndOBD(_ request: String, _ expected: [String]) throws {
        var responder = try ecu(protocols: ["kwp", "obd"], dtcs: [.init(code: "P0335", status: "08")], identifiers: ["88": "JTH"])
        #expect(payloads(responder.respond(to: Hex.bytes(request)!)) == expected)
    }

    @Test("0x78 runs precede the final answer with the configured delays")
    func responsePending() throws {
        var behaviour = Scenario.Behaviour()
        behaviour.latencyMilliseconds = 5
        behaviour.responsePending = .init(count: 2, intervalMilliseconds: 40, services: ["19"])
        var responder = try ecu(behaviour: behaviour)
        let replies = responder.respond(to: [0x19, 0x02, 0xFF])
        #expect(replies.map(\.delay) == [.milliseconds(5), .milliseconds(40), .milliseconds(40)])
        #expect(payloads(replies) == ["7F 19 78", "7F 19 78", "59 02 FF"])
        // Other services get no 0x78.
        #expect(payloads(responder.respond(to: [0x10, 0x01])) == ["50 01 00 32 01 F4"])
    }

    @Test("busy-repeat, silence after N requests, negative responses, late first frame")
    func behaviours() throws {
        var behaviour = Scenario.Behaviour()
        behaviour.busyRepeatCount = 1
        behaviour.silentAfterRequests = 3
        behaviour.negativeResponses = ["10": "22"]
        behaviour.firstFrameDelayMilliseconds = 45
        var responder = try ecu(identifiers: ["F181": "89650-0R200"], behaviour: behaviour)
        #expect(payloads(responder.respond(to: [0x22, 0xF1, 0x81])) == ["7F 22 21"])
        let late = responder.respond(to: [0x22, 0xF1, 0x81])
        #expect(late.map(\.delay) == [.milliseconds(45)])
        // Busy-repeat counts per service; then the configured refusal; then silence.
        #expect(payloads(responder.respond(to: [0x10, 0x01])) == ["7F 10 21"])
        #expect(responder.respond(to: [0x10, 0x01]).isEmpty)
        #expect(responder.requestsReceived.count == 4)
        var refusing = try ecu(behaviour: { var b = Scenario.Behaviour(); b.negativeResponses = ["10": "22"]; return b }())
        #expect(payloads(refusing.respond(to: [0x10, 0x01])) == ["7F 10 22"])
    }

    @Test("a clear erases the codes unless the scenario makes it fail")
    func clear() throws {
        var responder = try ecu(dtcs: [.init(code: "B15C4", status: "09")])
        #expect(payloads(responder.respond(to: [0x14, 0xFF, 0xFF, 0xFF])) == ["54"])
        #expect(responder.storedDTCs.isEmpty)
        var failing = Scenario.Behaviour()
        failing.clearFailsWith = "22"
        var stubborn = try ecu(dtcs: [.init(code: "B15C4", status: "09")], behaviour: failing)
        #expect(payloads(stubborn.respond(to: [0x14, 0xFF, 0xFF, 0xFF])) == ["7F 14 22"])
        #expect(stubborn.storedDTCs.map(\.description) == ["B15C4"])
    }

    @Test(
        "invalid scenario fields are named",
        arguments: [
            (#"{"name":"x","description":"","ecus":[{"name":"a","request":"7G0","response":"7E8","protocols":["uds"]}]}"#, "ecus[0].request"),
            (#"{"name":"x","description":"","ecus":[{"name":"a","request":"7E0","response":"7E8","protocols":["can"]}]}"#, "ecus[0].protocols"),
            (#"{"name":"x","description":"","ecus":[{"name":"a","request":"7E0","response":"7E8","protocols":["uds"],"dtcs":[{"code":"Q1234","status":"09"}]}]}"#, "ecus[0].dtcs[0].code"),
            (#"{"name":"x","description":"","ecus":[{"name":"a","request":"7E0","response":"7E8","protocols":["uds"],"behaviour":{"blockSize":300}}]}"#, "ecus[0].behaviour.blockSize"),
        ])
    func invalid(_ json: String, _ field: String) {
        #expect {
            try Scenario(json: Array(json.utf8), fileName: "bad.json")
        } throws: { error in
            (error as? ScenarioError)?.field == field && (error as? ScenarioError)?.file == "bad.json"
        }
    }
}

@Suite("VirtualVehicle on a bus")
struct VirtualVehicleTests {
    @Test("serves a segmented answer behind 0x750 with the requested flow control")
    func segmentedBehindGateway() async throws {
        let scenario = Scenario(
            name: "one", description: "",
            ecus: [
                Scenario.ECU(
                    name: "DCM", request: "750", response: "758", extendedAddress: "C7", protocols: ["uds"],
                    identifiers: ["F190": "JTMW1RFV0KD012345"])
            ])
        let bus = VirtualCANBus()
        let vehicle = try VirtualVehicle(scenario: scenario, transport: bus.attach(name: "vehicle"), clock: ContinuousClock())
        await vehicle.start()
        let tester = bus.attach(name: "tester")
        let frames = tester.receivedFrames()
        try await tester.send(try .classic(.standard(0x750)!, [0xC7, 0x03, 0x22, 0xF1, 0x90, 0xCC, 0xCC, 0xCC]))
        var iterator = frames.makeAsyncIterator()
        let first = try #require(try await iterator.next())
        #expect(first.id == .standard(0x758)! && Array(first.data.prefix(3)) == [0xC7, 0x10, 0x14])
        try await tester.send(try .classic(.standard(0x750)!, [0xC7, 0x30, 0x00, 0x00, 0xCC, 0xCC, 0xCC, 0xCC]))
        var payload = Array(first.data.dropFirst(3))
        while payload.count < 0x14, let next = try await iterator.next() { payload += next.data.dropFirst(2) }
        #expect(Array(payload.prefix(0x14)) == [0x62, 0xF1, 0x90] + Array("JTMW1RFV0KD012345".utf8))
        #expect(await vehicle.requestsReceived["DCM"] == [[0x22, 0xF1, 0x90]])
        await vehicle.stop()
    }
}
