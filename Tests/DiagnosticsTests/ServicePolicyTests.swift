import CANCore
import Diagnostics
import ISOTP
import Testing
import VirtualVehicle

@Suite("ServicePolicy: what CarDiag may send")
struct ServicePolicyTests {
    @Test(
        "reads and tester present are allowed",
        arguments: [
            "10 01", "10 03", "22 F1 90", "22 F1 81 F1 8C", "19 02 FF", "19 02 AF", "19 0A", "3E 00", "3E 80", "3E 01",
            "1A 88", "13 FF 00", "18 00 FF 00", "01 00", "03", "07", "0A", "09 02",
        ])
    func allowed(_ hex: String) {
        #expect(ServicePolicy.permits(Hex.bytes(hex)!))
    }

    @Test(
        "anything that writes, resets, programs or unlocks is refused",
        arguments: [
            "10 02", "10 60", "11 01", "27 01", "2E F1 90 00", "31 01 FF 00", "34 00 44", "28 03 01", "85 02",
            "22 01 00", "3E 03", "2F 12 34 03", "14 FF FF 33", "19 60", "",
        ])
    func refused(_ hex: String) {
        let request = Hex.bytes(hex) ?? []
        let consent = ServicePolicy.ClearConsent(includesOBD: true)
        let withoutConsent = ServicePolicy.permits(request)
        let withConsent = ServicePolicy.permits(request, consent: consent)
        #expect(!withoutConsent)
        #expect(!withConsent)
    }

    @Test("clears need consent; OBD 04 needs consent that includes it")
    func clears() {
        let all = ServicePolicy.ClearConsent(includesOBD: true)
        let withoutOBD = ServicePolicy.ClearConsent(includesOBD: false)
        for request in [ServicePolicy.udsClearAll, ServicePolicy.kwpClearAll, ServicePolicy.obdClear] {
            let readOnly = ServicePolicy.permits(request)
            #expect(!readOnly)
            #expect(ServicePolicy.permits(request, consent: all))
        }
        #expect(ServicePolicy.permits(ServicePolicy.udsClearAll, consent: withoutOBD))
        let obdWithoutConsent = ServicePolicy.permits(ServicePolicy.obdClear, consent: withoutOBD)
        #expect(!obdWithoutConsent)
    }

    @Test("the client refuses a request off the list before anything reaches the bus")
    func clientRefuses() async throws {
        let bus = VirtualCANBus()
        let client = DiagnosticClient(
            address: .standard(request: 0x7E0)!, transport: bus.attach(), clock: ContinuousClock())
        await #expect(throws: DiagnosticsError(.requestNotAllowed, "")) { try await client.request([0x11, 0x01]) }
        await #expect(throws: DiagnosticsError(.requestNotAllowed, "")) { try await client.request(ServicePolicy.udsClearAll) }
        #expect(bus.framesSent == 0)
        await client.close()
    }

    @Test("a full scan and clear of every scenario sends only listed requests, clears only with consent")
    func everyTransmittedRequest() async throws {
        for name in ["toyota-remote-connect-failing", "toyota-kwp-era", "generic-obd", "toyota-dcm-silent"] {
            let scenario = try loadScenario(name)
            let profile: VehicleProfile = name == "generic-obd" ? .generic : .toyota
            let bus = VirtualCANBus()
            let vehicle = try VirtualVehicle(scenario: scenario, transport: bus.attach(name: "vehicle"), clock: ContinuousClock())
            await vehicle.start()
            let tester = bus.attach(name: "tester")
            let check = HealthCheck(
                configuration: .init(profile: profile, ecus: descriptors(of: scenario, in: profile), timing: relaxedTiming),
                transport: tester, clock: ContinuousClock())
            let scan = await check.run()
            let clear = await check.clear(consent: .init(includesOBD: true))
            let requestsSeen = await vehicle.requestsReceived
            await vehicle.stop()
            // What went on the wire, reassembled from the frames as a listener would.
            let configuration = HealthCheck<VirtualCANBus.Endpoint, ContinuousClock>.trackerConfiguration(for: profile.ecus)
            func requests(in frames: [CANFrame]) -> [[UInt8]] {
                var tracker = ISOTPFlowTracker(configuration: configuration)
                return frames.compactMap { frame in
                    guard let message = tracker.feed(frame), message.direction == .request else { return nil }
                    return message.payload
                }
            }
            let scanRequests = requests(in: scan.frames)
            let clearRequests = requests(in: clear.frames)
            #expect(!scanRequests.isEmpty && !clearRequests.isEmpty)
            for request in scanRequests {
                #expect(ServicePolicy.kind(of: request) != .clear, "\(name): the read-only scan sent \(Hex.spaced(request))")
                #expect(ServicePolicy.permits(request), "\(name): \(Hex.spaced(request))")
            }
            let consent = ServicePolicy.ClearConsent(includesOBD: true)
            for request in clearRequests {
                #expect(ServicePolicy.permits(request, consent: consent), "\(name): \(Hex.spaced(request))")
            }
            #expect(clearRequests.contains { ServicePolicy.kind(of: $0) == .clear })
            let requests = scanRequests + clearRequests
            // Every request an ECU received is one the recording shows the tester sent.
            for (ecu, received) in requestsSeen {
                for request in received { #expect(requests.contains(request), "\(name) \(ecu): \(Hex.spaced(request))") }
            }
        }
    }
}
