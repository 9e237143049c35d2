import CANCore
import Diagnostics
import Interpretation
import Testing
import VirtualVehicle

@Suite("Vehicle profile files")
struct ProfileFileTests {
    @Test("reads the same fields as the built-in profiles; response defaults to request + 8")
    func reads() throws {
        let json = """
            { "name": "my-lexus", "ecus": [
              { "name": "Telematics (DCM)", "role": "dcm", "request": "750", "response": "758", "extendedAddress": "C7",
                "protocols": ["uds", "kwp"], "source": "workshop notes" },
              { "name": "Engine", "request": "0x7E0", "protocols": ["obd"] },
              { "name": "Body (29-bit)", "request": "18DA40F1", "response": "18DAF140", "protocols": ["uds"] } ] }
            """
        let profile = try VehicleProfile(json: Array(json.utf8), fileName: "my.json")
        #expect(profile.name == "my-lexus")
        #expect(profile.ecus.map(\.address.description) == ["750/758 [C7]", "7E0/7E8", "18DA40F1/18DAF140"])
        #expect(profile.ecus[0].role == .dcm && profile.ecus[0].protocols == [.uds, .kwp])
        #expect(profile.ecus[1].role == .other && profile.ecus[1].source == "my.json")
    }

    @Test(
        "errors name the file and the field",
        arguments: [
            (#"{"name":"x","ecus":[{"name":"a","request":"7E0"}]}"#, "my.json", "protocols"),
            (#"{"name":"x","ecus":[{"name":"a","request":"ZZZ","protocols":["uds"]}]}"#, "my.json: ecus[0].request", "ZZZ"),
            (#"{"name":"x","ecus":[{"name":"a","request":"7E0","protocols":["j1939"]}]}"#, "my.json: ecus[0].protocols", "j1939"),
            (#"{"name":"x","ecus":[{"name":"a","request":"750","extendedAddress":"1C7","protocols":["uds"]}]}"#, "my.json: ecus[0].extendedAddress", "1C7"),
            (#"{"name":"x","ecus":[{"name":"a","role":"engine","request":"7E0","protocols":["uds"]}]}"#, "my.json: ecus[0].role", "engine"),
            (#"{"name":"x","ecus":[]}"#, "my.json: ecus", "no ECUs"),
            (#"{"name":"x","#, "my.json", "JSON"),
        ])
    func errors(_ json: String, _ location: String, _ mention: String) {
        #expect {
            try VehicleProfile(json: Array(json.utf8), fileName: "my.json")
        } throws: { error in
            guard let error = error as? DiagnosticsError else { return false }
            return error.code == .invalidProfile && error.location == location && error.reason.contains(mention)
        }
    }
}

@Suite("Clearing codes against the virtual vehicle")
struct ClearTests {
    @Test("clear erases the codes and the re-read shows none; a failing clear is reported and the codes stay")
    func clear() async throws {
        var scenario = try loadScenario("toyota-remote-connect-failing")
        let gateway = try #require(scenario.ecus.firstIndex { $0.extendedAddress == "5F" })
        scenario.ecus[gateway].behaviour.clearFailsWith = "22"
        let bus = VirtualCANBus()
        let vehicle = try VirtualVehicle(scenario: scenario, transport: bus.attach(name: "vehicle"), clock: ContinuousClock())
        await vehicle.start()
        let check = HealthCheck(
            configuration: .init(profile: .toyota, ecus: descriptors(of: scenario, in: .toyota), timing: relaxedTiming),
            transport: bus.attach(name: "tester"), clock: ContinuousClock())
        let before = await check.run()
        let after = await check.clear(consent: .init(includesOBD: false))
        await vehicle.stop()
        #expect(Set(before.report.dtcs.map(\.dtc.code.description)) == ["B15C4", "B15DB", "U0198"])
        #expect(after.report.dtcs.map(\.dtc.code.description) == ["U0198"])
        let refused = try #require(after.results.first { $0.descriptor.address.extendedAddress == 0x5F })
        #expect(refused.status == .refused(0x22))
        let dcm = try #require(after.results.first { $0.descriptor.role == .dcm })
        #expect(dcm.status == .answered)
        #expect(dcm.requestsSent.first == "14 FF FF FF")
        // OBD 04 was not consented to, so the engine never got it.
        #expect(!after.results.flatMap(\.requestsSent).contains("04"))
    }
}
