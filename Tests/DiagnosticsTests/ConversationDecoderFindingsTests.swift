import CANCore
import DTC
import Diagnostics
import ISOTP
import Testing

/// Cases found while checking `cardiag decode` against the fixture logs and the real captures.
@Suite struct ConversationDecoderFindingsTests {
    /// A physical message between the tester and `request`/`request + 8`, optionally behind an address byte.
    static func message(_ direction: ISOTPDirection, _ request: UInt32, _ bytes: [UInt8], ext: UInt8? = nil)
        -> ISOTPFlowMessage
    {
        let id = direction == .request ? request : request + 8
        let peer = direction == .request ? request + 8 : request
        return ISOTPFlowMessage(
            id: .standard(id)!, peerID: .standard(peer)!, addressExtension: ext, direction: direction,
            targetType: .physical, firstTimestamp: .zero, lastTimestamp: .zero, payload: bytes, frameCount: 1,
            flowControlFrameCount: 0, interface: nil)
    }

    static func decode(_ messages: [ISOTPFlowMessage]) -> DiagnosticReport {
        var decoder = ConversationDecoder()
        for message in messages { decoder.feed(message) }
        return decoder.report()
    }

    /// F181 and F18C have no fixed length, so the codec leaves their data as "the rest of the message"; asked
    /// alone, the rest is exactly the value and is text.
    @Test(arguments: [
        ([0xF1, 0x81] as [UInt8], "applicationSoftware", "86741-0R010-A1"),
        ([0xF1, 0x8C], "serialNumber", "DCM7C1234567"),
    ])
    func singleDIDReadIsText(did: [UInt8], key: String, value: String) throws {
        let report = Self.decode([
            Self.message(.request, 0x750, [0x22] + did, ext: 0xC7),
            Self.message(.response, 0x750, [0x62] + did + Array(value.utf8), ext: 0xC7),
        ])
        #expect(report.ecus.first?.identification[key] == value)
    }

    /// When the request asked for two DIDs, the first one's length is unknown and the rest cannot be split: the
    /// value stays hex rather than a text that swallowed the second DID.
    @Test func twoDIDReadOfUnknownLengthStaysHex() throws {
        let report = Self.decode([
            Self.message(.request, 0x750, [0x22, 0xF1, 0x81, 0xF1, 0x8C], ext: 0xC7),
            Self.message(.response, 0x750, [0x62, 0xF1, 0x81, 0x41, 0x42, 0xF1, 0x8C, 0x43], ext: 0xC7),
        ])
        let value = try #require(report.ecus.first?.identification["applicationSoftware"])
        #expect(value == "41 42 F1 8C 43")
    }

    /// KWP2000's tester present has no sub-function (`3E` → `7E`); UDS requires one. On an ECU not heard
    /// from before, the guess is UDS, and the message must still decode (as KWP).
    @Test func bareTesterPresentOnAFreshECUIsKWP() throws {
        let report = Self.decode([Self.message(.request, 0x7E0, [0x3E]), Self.message(.response, 0x7E0, [0x7E])])
        #expect(report.summary.undecodableMessages == 0)
        #expect(report.ecus.first?.protocols == [.kwp])
    }

    /// A positive response of a service neither codec knows beyond its catch-all is not taken for KWP when
    /// the UDS decode fails: `59 02 FF 95` (a cut-off record) stays undecodable.
    @Test func truncatedUDSRecordStaysUndecodable() {
        let report = Self.decode([
            Self.message(.request, 0x7E0, [0x19, 0x02, 0xFF]),
            Self.message(.response, 0x7E0, [0x59, 0x02, 0xFF, 0x95]),
        ])
        #expect(report.summary.undecodableMessages == 1)
    }

    /// `19 0A` (supported DTCs) lists codes with status 0x00 or only test-not-completed bits (0x50): reported
    /// as records, but no fault for triage or the DCM verdict. The status 0x09 record is a fault.
    @Test(arguments: [
        ([0x00, 0x50] as [UInt8], "healthy", [String]()),
        ([0x00, 0x09], "faultsPresent", ["B15A8-04"]),
        ([0x80, 0x00], "faultsPresent", ["B15C4-00"]),
    ])
    func supportedDTCsWithoutFailureBitsAreNoFault(statuses: [UInt8], verdict: String, faults: [String]) throws {
        let report = Self.decode([
            Self.message(.request, 0x750, [0x19, 0x0A], ext: 0xC7),
            Self.message(
                .response, 0x750, [0x59, 0x0A, 0xFF, 0x95, 0xC4, 0x00, statuses[0], 0x95, 0xA8, 0x04, statuses[1]],
                ext: 0xC7),
        ])
        #expect(report.dtcs.count == 2)
        let status = try #require(report.dcmStatus)
        #expect("\(status.verdict)" == verdict)
        #expect(status.dtcsByState.values.flatMap { $0 }.map(\.hyphenatedText) == faults)
        let findings = report.vehicleFindings.findings.flatMap(\.dtcs).map(\.hyphenatedText)
        #expect(findings == faults)
    }

    /// `3E 80` and `28 81 01` set the suppress-positive-response bit: silence is the answer, not a missing one.
    /// `3E 00` and `28 01 01` expect an answer; a DCM asked only with the suppress bit stays "unknown".
    @Test(arguments: [
        ([[0x3E, 0x80], [0x3E, 0x80], [0x28, 0x81, 0x01]] as [[UInt8]], 0, "unknown"),
        ([[0x3E, 0x80], [0x3E, 0x00]], 1, "notResponding"),
        ([[0x3E, 0x00], [0x28, 0x01, 0x01]], 2, "notResponding"),
    ])
    func suppressedPositiveResponsesAreNotMissing(requests: [[UInt8]], unanswered: Int, verdict: String) throws {
        let report = Self.decode(requests.map { Self.message(.request, 0x750, $0, ext: 0xC7) })
        let ecu = try #require(report.ecus.first)
        #expect(ecu.unansweredRequests == unanswered)
        #expect(ecu.servicesRequested.values.reduce(0, +) == requests.count)
        #expect("\(try #require(report.dcmStatus).verdict)" == verdict)
    }

    /// KWP and OBD records carry no ISO 14229 status: they list faults, so they always count.
    @Test func recordsWithoutStatusAreFaults() {
        let report = Self.decode([
            Self.message(.request, 0x7E0, [0x13, 0x80]), Self.message(.response, 0x7E0, [0x53, 0x01, 0x03, 0x35]),
        ])
        #expect(report.vehicleFindings.findings.flatMap(\.dtcs).map(\.code.description) == ["P0335"])
    }
}
