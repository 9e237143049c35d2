import CANCore
import DTC
import Diagnostics
import ISOTP
import Testing

/// Builds flow messages the way the tracker reports them.
private func message(
    _ id: UInt32, _ peer: UInt32?, _ bytes: [UInt8], ext: UInt8? = nil, at milliseconds: Int64 = 0
) -> ISOTPFlowMessage {
    let isRequest = (id & 0xF) < 8 || id == 0x7DF
    return ISOTPFlowMessage(
        id: .standard(id)!, peerID: peer.map { .standard($0)! }, addressExtension: ext,
        direction: isRequest ? .request : .response, targetType: peer == nil ? .functional : .physical,
        firstTimestamp: .milliseconds(milliseconds), lastTimestamp: .milliseconds(milliseconds), payload: bytes,
        frameCount: 1, flowControlFrameCount: 0, interface: "can0")
}

private func decode(_ messages: [ISOTPFlowMessage], profile: VehicleProfile = .toyota) -> DiagnosticReport {
    var decoder = ConversationDecoder(profile: profile)
    for message in messages { decoder.feed(message) }
    return decoder.report()
}

@Suite struct ConversationDecoderTests {
    let dcm = ECUAddress.standard(request: 0x750, extendedAddress: 0xC7)!

    @Test func pairsTheDCMReadThroughAResponsePendingRun() throws {
        let report = decode([
            message(0x750, 0x758, [0x19, 0x02, 0xAF], ext: 0xC7, at: 0),
            message(0x758, 0x750, [0x7F, 0x19, 0x78], ext: 0xC7, at: 40),
            message(0x758, 0x750, [0x7F, 0x19, 0x78], ext: 0xC7, at: 80),
            message(0x758, 0x750, [0x59, 0x02, 0xFF, 0x95, 0xC4, 0x00, 0x09, 0x95, 0xA8, 0x04, 0x08], ext: 0xC7, at: 120),
        ])
        #expect(report.dtcs.map(\.dtc.hyphenatedText) == ["B15C4-00", "B15A8-04"])
        #expect(report.dtcs.allSatisfy { $0.ecu == dcm && $0.source == .uds && $0.service == "19 02" })
        #expect(report.dtcs.first?.timestamp == .milliseconds(120))
        let ecu = try #require(report.ecus.first)
        #expect(ecu.name == "Telematics (DCM)")
        #expect(ecu.role == .dcm)
        // A run of 0x78 replies is one negative-response record, and the request stays open through it.
        #expect(ecu.negativeResponses.map(\.code) == [0x78])
        #expect(ecu.unansweredRequests == 0)
        let status = try #require(report.dcmStatus)
        #expect(status.verdict == .faultsPresent)
        #expect(status.dtcsByState["current"]?.map(\.hyphenatedText) == ["B15C4-00"])
        #expect(status.dtcsByState["history"]?.map(\.hyphenatedText) == ["B15A8-04"])
    }

    /// Streaming (records taken as they come): each ECU's report keeps one record per distinct code and status,
    /// up to the limit, so the DCM status and triage hold at any log size while memory stays bounded.
    @Test func streamedRecordsLeaveDistinctOnesInTheReport() throws {
        var limits = ConversationDecoder.Limits()
        limits.keepsDTCRecordsInECUReports = false
        limits.distinctDTCRecordsPerECU = 2
        var decoder = ConversationDecoder(profile: .toyota, limits: limits)
        var streamed = 0
        for (index, records) in [
            [0x95, 0xC4, 0x00, 0x09, 0x95, 0xA8, 0x04, 0x08],  // B15C4-00 current, B15A8-04 history
            [0x95, 0xC4, 0x00, 0x09],  // B15C4-00 current again: already in the report
            [0x95, 0xDB, 0x00, 0x08],  // B15DB-00: a third distinct record, over the limit of 2
        ].enumerated() {
            let time = Int64(index) * 100
            decoder.feed(message(0x750, 0x758, [0x19, 0x02, 0xFF], ext: 0xC7, at: time))
            decoder.feed(message(0x758, 0x750, [0x59, 0x02, 0xFF] + records.map(UInt8.init), ext: 0xC7, at: time + 10))
            streamed += decoder.takeDTCRecords().count
        }
        let report = decoder.report()
        #expect(streamed == 4)
        #expect(report.ecus.first?.dtcs.map(\.dtc.hyphenatedText) == ["B15C4-00", "B15A8-04"])
        #expect(decoder.distinctRecordsLeftOut == 1)
        #expect(report.dcmStatus?.verdict == .faultsPresent)
        #expect(report.dcmStatus?.dtcsByState["current"]?.map(\.hyphenatedText) == ["B15C4-00"])
    }

    @Test func aSilentDCMIsNotResponding() throws {
        let report = decode([
            message(0x750, 0x758, [0x3E, 0x00], ext: 0xC7, at: 0),
            message(0x750, 0x758, [0x19, 0x02, 0xAF], ext: 0xC7, at: 100),
        ])
        let status = try #require(report.dcmStatus)
        #expect(status.verdict == .notResponding)
        #expect(!status.answered)
        #expect(report.ecus.first?.unansweredRequests == 2)
        #expect(report.vehicleFindings.unresponsive.map(\.role) == [.dcm])
    }

    @Test func aDCMThatAnswersWithoutCodesIsHealthy() throws {
        let report = decode([
            message(0x750, 0x758, [0x22, 0xF1, 0x90], ext: 0xC7),
            message(0x758, 0x750, [0x62, 0xF1, 0x90] + Array("JTMW1RFV8MD012345".utf8), ext: 0xC7),
            message(0x750, 0x758, [0x19, 0x02, 0xAF], ext: 0xC7),
            message(0x758, 0x750, [0x59, 0x02, 0xFF], ext: 0xC7),
        ])
        let status = try #require(report.dcmStatus)
        #expect(status.verdict == .healthy)
        #expect(status.identification["vin"] == "JTMW1RFV8MD012345")
    }

    @Test func functionalRequestsAreAnsweredBySeveralECUs() {
        let report = decode([
            message(0x7DF, nil, [0x03], at: 0),
            message(0x7E8, 0x7E0, [0x43, 0x01, 0x03, 0x35], at: 10),
            message(0x7EA, 0x7E2, [0x43, 0x00], at: 12),
        ])
        #expect(report.dtcs.map(\.dtc.code.description) == ["P0335"])
        #expect(report.dtcs.first?.source == .obd)
        #expect(report.ecus.map(\.answered) == [true, true])
        #expect(report.ecus.allSatisfy { $0.servicesRequested[0x03] == 1 })
        #expect(report.summary.responsesWithoutRequest == 0)
    }

    @Test func theRequestDecidesBetweenKWPAndUDS() {
        let report = decode([
            message(0x7E0, 0x7E8, [0x13, 0x80]),
            message(0x7E8, 0x7E0, [0x53, 0x01, 0x03, 0x35]),
            message(0x7E0, 0x7E8, [0x07]),
            message(0x7E8, 0x7E0, [0x47, 0x02, 0x03, 0x35, 0x13, 0x40]),
        ])
        #expect(report.dtcs.map { "\($0.source.rawValue) \($0.service) \($0.dtc.code)" } == [
            "kwp 13 P0335", "obd 07 P0335", "obd 07 P1340",
        ])
        #expect(report.ecus.first?.protocols == [.kwp, .obd])
    }

    @Test func responsesWithoutARequestAndUndecodablePayloadsAreCounted() {
        let report = decode([
            message(0x7E8, 0x7E0, [0x59, 0x02, 0xFF, 0x95]),  // truncated DTC record
            message(0x7E0, 0x7E8, [0x19, 0x02, 0xFF]),
            message(0x7E8, 0x7E0, [0x7F, 0x19]),  // negative response too short
        ])
        #expect(report.summary.responsesWithoutRequest == 1)
        #expect(report.summary.undecodableMessages == 2)
        #expect(report.summary.messages == 3)
        #expect(report.dtcs.isEmpty)
    }

    @Test func negativeResponsesAreValuesWithNames() throws {
        let report = decode([
            message(0x7E0, 0x7E8, [0x19, 0x02, 0xFF]),
            message(0x7E8, 0x7E0, [0x7F, 0x19, 0x11]),
        ])
        let negative = try #require(report.ecus.first?.negativeResponses.first)
        #expect(negative.serviceID == 0x19)
        #expect(negative.name == "serviceNotSupported")
        #expect(report.ecus.first?.unansweredRequests == 0)
    }
}
