import CANCore
import Diagnostics
import ISOTP
import Testing
import VirtualVehicle

@Suite("ISO-TP backend choice")
struct ISOTPBackendChoiceTests {
    typealias Choice = ISOTPBackendChoice

    @Test(
        "physical requests: the preference and what the kernel can do",
        arguments: [
            (Choice.Preference.auto, Choice.KernelSupport.available, ISOTPBackend.kernel),
            (.auto, .unavailable("the kernel lacks CAN_ISOTP (EPROTONOSUPPORT)"), .user),
            (.auto, .unavailable("not a SocketCAN interface"), .user),
            (.user, .available, .user),
            (.user, .unavailable("no"), .user),
            (.kernel, .available, .kernel),
        ])
    func physical(preference: Choice.Preference, kernel: Choice.KernelSupport, expected: ISOTPBackend) throws {
        let choice = try Choice.choose(preference: preference, kernel: kernel, purpose: .physical)
        #expect(choice.backend == expected)
        if case .unavailable(let why) = kernel, preference == .auto { #expect(choice.reason == why) }
    }

    @Test("--isotp kernel on a kernel without CAN_ISOTP is an error naming why")
    func kernelMissing() {
        #expect(throws: DiagnosticsError(.isoTPBackendUnavailable, "")) {
            try Choice.choose(preference: .kernel, kernel: .unavailable("EPROTONOSUPPORT"), purpose: .physical)
        }
    }

    @Test(
        "functional requests and discovery always go through user space",
        arguments: [Choice.Purpose.functional, .discovery], Choice.Preference.allCases)
    func userSpaceOnly(purpose: Choice.Purpose, preference: Choice.Preference) throws {
        let choice = try Choice.choose(preference: preference, kernel: .available, purpose: purpose)
        #expect(choice.backend == .user)
    }
}

/// A message transport that hides first frames, as the kernel's ISO-TP socket does.
struct FirstFramesHidden: MessageTransport {
    let inner: ISOTPChannel<VirtualCANBus.Endpoint, ScanManualClock>
    func send(_ message: [UInt8]) async throws { try await inner.send(message) }
    func receive(timeout: Duration?) async throws -> [UInt8] { try await inner.receive(timeout: timeout) }
    func close() async { await inner.close() }
}

@Suite("Health check through a link factory (the kernel backend's path)")
struct LinkFactoryTests {
    func scanEPS(hidingFirstFrames: Bool) async throws -> ScanReport {
        let scenario = try loadScenario("toyota-remote-connect-failing")
        let bus = VirtualCANBus()
        let clock = ScanManualClock()
        let vehicle = try VirtualVehicle(scenario: scenario, transport: bus.attach(name: "vehicle"), clock: clock)
        await vehicle.start()
        let eps = try #require(VehicleProfile.toyota.ecus.first { $0.address.requestID.value == 0x7A1 })
        var configuration = HealthCheck<VirtualCANBus.Endpoint, ScanManualClock>.Configuration(
            profile: .toyota, ecus: [eps])
        configuration.isoTPBackend = try ISOTPBackendChoice.choose(preference: .kernel, kernel: .available, purpose: .physical)
        // Each ECU's link on its own endpoint of the bus, as a kernel socket is its own socket.
        configuration.linkFactory = { address in
            let channel = ISOTPChannel(transport: bus.attach(), clock: clock, address: address.isoTPAddress)
            return hidingFirstFrames ? FirstFramesHidden(inner: channel) : channel
        }
        let tester = bus.attach(name: "tester")
        let check = HealthCheck(configuration: configuration, transport: tester, clock: clock)
        let report = try await runInVirtualTime(clock) { await check.run() }
        await vehicle.stop()
        return report
    }

    @Test("a link that cannot see first frames is given them from the raw frames: the slow EPS still answers")
    func firstFramesWatched() async throws {
        let report = try await scanEPS(hidingFirstFrames: true)
        #expect(report.results.map(\.status) == [.answered])
        #expect(report.report.ecus.first?.identification["applicationSoftware"] == "89650-0R200")
        #expect(report.isoTPBackend == "kernel ISO-TP (CAN_ISOTP) (--isotp kernel)")
        #expect(report.text(title: "t").contains("ISO-TP: kernel ISO-TP (CAN_ISOTP) (--isotp kernel)\n"))
        // The recording still holds both directions: the findings are decoded from it.
        #expect(report.frames.contains { $0.id.value == 0x7A1 } && report.frames.contains { $0.id.value == 0x7A9 })
    }
}
