import DTC
import Testing

@testable import Interpretation

let gateway = ECUIdentity(name: "Central gateway", requestID: 0x750, responseID: 0x758, extendedAddress: 0x5F, role: .gateway)
let dcmECU = ECUIdentity(name: "DCM (telematics)", requestID: 0x750, responseID: 0x758, extendedAddress: 0xC7, role: .dcm)
let headUnit = ECUIdentity(name: "Head unit", requestID: 0x7D0, responseID: 0x7D8, role: .headUnit)
let engine = ECUIdentity(name: "Engine", requestID: 0x7E0, responseID: 0x7E8, role: .other)

/// A DTC from text with a status byte.
func reported(_ text: String, status: UInt8) throws -> DiagnosticTroubleCode {
    var value = try dtc(text)
    value.status = DTCStatus(rawValue: status)
    return value
}

@Suite struct TriageTests {
    let triage: Triage
    init() throws { triage = Triage(knowledgeBase: try KnowledgeBase.builtIn()) }

    @Test func cleanVehicleGetsTheRemoteConnectChecks() {
        let plan = triage.plan(for: VehicleFindings(findings: [ECUFinding(ecu: dcmECU, dtcs: [])], dcmStatus: .healthy))
        #expect(plan.isClean)
        #expect(plan.items.map(\.kind) == [.accountChecks])
        #expect(plan.items[0].interpretation.subject == .symptom("remote-connect"))
        #expect(!plan.items[0].interpretation.fixPath.isEmpty)
    }

    @Test func communicationThenDCMThenHeadUnitThenAccount() throws {
        // Reported in the "wrong" order on purpose.
        let plan = triage.plan(
            for: VehicleFindings(findings: [
                ECUFinding(ecu: headUnit, dtcs: [try reported("B15DB", status: 0x09)]),
                ECUFinding(ecu: dcmECU, dtcs: [try reported("B15C4", status: 0x09)]),
                ECUFinding(ecu: gateway, dtcs: [try reported("U0198", status: 0x09)]),
            ]))
        #expect(plan.items.map { String($0.headline.prefix(5)) } == ["U0198", "B15C4", "B15DB", "If Re"])
        #expect(plan.items.map(\.category) == [.communication, .dcmConnection, .headUnit, .account])
        #expect(!plan.isClean)
    }

    @Test func internalFaultBeforeConnectionAndCurrentBeforeHistory() throws {
        let plan = triage.plan(
            for: VehicleFindings(findings: [
                ECUFinding(ecu: dcmECU, dtcs: [
                    try reported("B15C4", status: 0x08),  // history
                    try reported("B15CB-13", status: 0x09),  // current
                    try reported("B15A804", status: 0x08),
                ]),
                ECUFinding(ecu: engine, dtcs: [try reported("P0335", status: 0x09)]),
            ]))
        #expect(plan.items.map { String($0.headline.prefix(7)) } == ["B15A804", "B15CB13", "B15C4 A", "P0335 N", "If Remo"])
        #expect(plan.items.map(\.state) == [.history, .current, .history, .current, .unknown])
    }

    @Test func duplicatesMergeAndSeveralReportersTriggerToyotasRule() throws {
        let plan = triage.plan(
            for: VehicleFindings(findings: [
                ECUFinding(ecu: gateway, dtcs: [try reported("U0198", status: 0x08)]),
                ECUFinding(ecu: headUnit, dtcs: [try reported("U0198", status: 0x09), try reported("U0198", status: 0x08)]),
            ]))
        let item = try #require(plan.items.first)
        #expect(plan.items.count == 2)
        #expect(item.reports.map(\.ecu) == [gateway, headUnit])
        #expect(item.reports.map(\.state) == [.history, .current])
        #expect(item.state == .current)
        let note = try #require(item.notes.first)
        #expect(note.source == "toyota-dtc-combination-table")
        #expect(note.text.contains("DCM (telematics transceiver) has stopped communicating"))
        #expect(plan.sources.contains { $0.id == "toyota-dtc-combination-table" })
    }

    @Test func singleReporterGetsNoSuspicionNote() throws {
        let plan = triage.plan(
            for: VehicleFindings(findings: [ECUFinding(ecu: gateway, dtcs: [try reported("U0198", status: 0x09)])]))
        #expect(plan.items[0].notes.isEmpty)
    }

    @Test func silentECUsAndBusFaultsComeFirst() throws {
        let plan = triage.plan(
            for: VehicleFindings(
                findings: [ECUFinding(ecu: headUnit, dtcs: [try reported("B15DB", status: 0x09)])],
                unresponsive: [dcmECU], dcmStatus: .busFault))
        #expect(plan.items.map(\.kind) == [.busFault, .noResponse, .troubleCode, .accountChecks])
        #expect(plan.items[1].headline == "No response from DCM (telematics) (0x750/0x758 ext 0xC7)")
        #expect(plan.items[1].interpretation.subject == .symptom("ecu-no-response"))
        #expect(plan.items[0].interpretation.subject == .symptom("can-bus-fault"))
    }

    @Test func dcmNotRespondingWithoutAnAddressStillShows() {
        let plan = triage.plan(for: VehicleFindings(dcmStatus: .notResponding))
        #expect(plan.items.map(\.kind) == [.noResponse, .accountChecks])
        #expect(!plan.isClean)
        // Already listed as unresponsive: not twice.
        let listed = triage.plan(for: VehicleFindings(unresponsive: [dcmECU], dcmStatus: .notResponding))
        #expect(listed.items.filter { $0.kind == .noResponse }.count == 1)
    }

    @Test(arguments: [(nil, FindingState.unknown), (0x09, .current), (0x04, .pending), (0x08, .history), (0x10, .stored)]
        as [(UInt8?, FindingState)])
    func statusReadsAsState(status: UInt8?, state: FindingState) {
        #expect(FindingState(status: status.map(DTCStatus.init(rawValue:))) == state)
    }
}

@Suite struct TextWrapperTests {
    @Test(arguments: [20, 40, 80])
    func linesFitTheWidthUnlessAWordIsLonger(width: Int) {
        let text = "one two three https://example.com/a/very/long/address/that/cannot/be/broken/anywhere four five"
        let lines = TextWrapper(width: width).wrap(text, first: "  - ", rest: "    ")
        for line in lines where line.count > width {
            #expect(!line.dropFirst(4).contains(" "), "only an unbreakable word may overflow: \(line)")
        }
        #expect(lines.joined(separator: " ").split(separator: " ").joined(separator: " ") == "- " + text)
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("    ") })
    }
}
