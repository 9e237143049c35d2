import CANCore
import CANLog
import DTC
import Diagnostics
import Interpretation
import Testing
import VirtualVehicle

@Suite("Health check against the virtual vehicle")
struct HealthCheckTests {
    @Test("failing Remote Connect: DCM B15C4 current, head unit B15DB history, gateway U0198")
    func failingRemoteConnect() async throws {
        let scenario = try loadScenario("toyota-remote-connect-failing")
        let report = try await scan(scenario, ecus: descriptors(of: scenario, in: .toyota))
        let codes = Set(report.report.dtcs.map { "\($0.ecu) \($0.dtc.hyphenatedText) \($0.dtc.status?.summary.state ?? "-")" })
        #expect(
            codes == [
                "750/758 [C7] B15C4-00 current", "7D0/7D8 B15DB-00 history", "750/758 [5F] U0198-00 current",
            ])
        let dcm = try #require(report.report.dcmStatus)
        #expect(dcm.verdict == .faultsPresent)
        #expect(dcm.identification["vin"] == "JTMW1RFV0KD012345")
        #expect(dcm.identification["applicationSoftware"] == "86741-0R010")
        #expect(report.results.allSatisfy { $0.status == .answered })
        #expect(!report.isPartial)
        // The EPS answers its identification late and slowly; the first-frame restart keeps it answered.
        let eps = try #require(report.report.ecus.first { $0.address.requestID.value == 0x7A1 })
        #expect(eps.identification["applicationSoftware"] == "89650-0R200")
        // Engine: UDS and OBD both read.
        let engine = try #require(report.results.first { $0.descriptor.address.requestID.value == 0x7E0 })
        #expect(engine.requestsSent.contains("03") && engine.requestsSent.contains("19 02 FF"))
    }

    @Test("clean Toyota: DCM healthy, no codes")
    func clean() async throws {
        let scenario = try loadScenario("toyota-clean")
        let report = try await scan(scenario, ecus: descriptors(of: scenario, in: .toyota))
        #expect(report.report.dtcs.isEmpty)
        #expect(report.report.dcmStatus?.verdict == .healthy)
        #expect(report.results.allSatisfy { $0.status == .answered })
    }

    @Test("silent DCM: not responding, everything else answers")
    func silentDCM() async throws {
        let scenario = try loadScenario("toyota-dcm-silent")
        let report = try await scan(scenario, ecus: descriptors(of: scenario, in: .toyota))
        #expect(report.report.dcmStatus?.verdict == .notResponding)
        let dcm = try #require(report.results.first { $0.descriptor.role == .dcm })
        #expect(dcm.status == .noResponse)
        #expect(dcm.requestsSent == ["10 01"])
        #expect(dcm.log.contains { $0.contains("P2 timeout (250 ms)") && $0.contains("nothing received") })
        #expect(report.vehicleFindings.unresponsive.map(\.role) == [.dcm])
        #expect(!report.isPartial)
    }

    @Test("KWP-era Toyota: P0335 through KWP 18 and OBD 03")
    func kwpEra() async throws {
        let scenario = try loadScenario("toyota-kwp-era")
        let report = try await scan(scenario, ecus: descriptors(of: scenario, in: .toyota))
        let engine = try #require(report.results.first { $0.descriptor.address.requestID.value == 0x7E0 })
        #expect(engine.diagnosticProtocol == .kwp)
        let sources = Set(report.report.dtcs.filter { $0.dtc.code.description == "P0335" }.map(\.source))
        #expect(sources == [.kwp, .obd])
        let eps = try #require(report.report.ecus.first { $0.address.requestID.value == 0x7A1 })
        #expect(eps.identification["kwpIdentification88"] == "89650-53080-EPS-CONTROL")
    }

    @Test("generic OBD car: stored and pending codes by mode")
    func genericOBD() async throws {
        let scenario = try loadScenario("generic-obd")
        // Functional requests (the generic profile's): every answer within P2, in virtual time.
        let report = try await scanInVirtualTime(scenario, profile: .generic, ecus: Array(VehicleProfile.generic.ecus.prefix(1)))
        let byService = Dictionary(grouping: report.report.dtcs, by: \.service).mapValues { $0.map(\.dtc.code.description) }
        #expect(byService["03"] == ["P0420"])
        #expect(byService["07"] == ["P0171"])
        #expect(report.report.ecus.first?.identification["vin"] == "1HGCM82633A004352")
    }

    @Test("an ECU that stops answering mid-way is marked and the report is partial")
    func silentMidway() async throws {
        var scenario = try loadScenario("toyota-remote-connect-failing")
        let index = try #require(scenario.ecus.firstIndex { $0.extendedAddress == "C7" })
        scenario.ecus[index].behaviour.silentAfterRequests = 2
        let report = try await scan(scenario, ecus: descriptors(of: scenario, in: .toyota))
        let dcm = try #require(report.results.first { $0.descriptor.role == .dcm })
        #expect(dcm.status == .stoppedAnswering)
        #expect(report.isPartial)
        #expect(report.results.filter(\.isPartial).count == 1)
    }

    @Test("ECUs the profile lists but the car lacks show as no response, without slowing the others")
    func absentECUs() async throws {
        let scenario = try loadScenario("toyota-clean")
        let report = try await scan(scenario)
        let answered = report.results.filter { $0.status == .answered }.map(\.descriptor.name).sorted()
        #expect(answered == ["Central gateway", "Engine (ECM)", "Telematics (DCM)"])
        #expect(report.results.count == VehicleProfile.toyota.ecus.count)
        #expect(report.results.filter { $0.status == .noResponse }.count == VehicleProfile.toyota.ecus.count - 3)
    }

    @Test("the recorded frames decode to the same findings")
    func recordingRoundTrip() async throws {
        let scenario = try loadScenario("toyota-remote-connect-failing")
        let report = try await scan(scenario, ecus: descriptors(of: scenario, in: .toyota))
        let writer = CandumpLogWriter(defaultInterface: "vcan0")
        var log: [UInt8] = []
        for frame in report.frames { writer.append(frame, to: &log) }
        let reader = try LogReader(source: MemoryByteSource(log), name: "scan.log")
        var decoder = LogDecoder()
        while let frame = try reader.next() { decoder.feed(frame) }
        let decoded = decoder.finish()
        func key(_ records: [DTCRecord]) -> [String] {
            records.map { "\($0.ecu) \($0.dtc.hyphenatedText) \($0.dtc.status?.rawValue ?? 0) \($0.service)" }
        }
        #expect(key(decoded.dtcs) == key(report.report.dtcs))
        #expect(decoded.dcmStatus?.verdict == report.report.dcmStatus?.verdict)
        #expect(decoded.ecus.map(\.identification) == report.report.ecus.map(\.identification))
        #expect(!decoded.dtcs.isEmpty)
    }
}
