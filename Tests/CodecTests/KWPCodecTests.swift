import DTC
import KWP
import Testing

@Suite struct KWPCodecTests {
    @Test(arguments: [
        (KWPReadDiagnosticTroubleCodes.Request(parameters: [0xB0]).bytes, "13 B0"),
        (KWPReadDiagnosticTroubleCodesByStatus.Request().bytes, "18 00 FF 00"),
        (KWPReadFreezeFrameData.Request(frameNumber: 0, parameters: [0x01, 0x02]).bytes, "12 00 01 02"),
        (KWPClearDiagnosticInformation.Request().bytes, "14 FF 00"),
        (KWPReadECUIdentification.Request(option: 0x88, parameters: [0x01]).bytes, "1A 88 01"),
        (KWPReadDataByLocalIdentifier.Request(localIdentifier: 0xC1).bytes, "21 C1"),
        (KWPStartDiagnosticSession.Request(.toyotaDiagnostic).bytes, "10 5F"),
        (KWPTesterPresent.Request(parameters: [0x01]).bytes, "3E 01"),
    ])
    func buildsRequests(built: [UInt8], expected: String) throws {
        #expect(built == bytes(expected))
        // Every built request decodes as a request of the same service.
        let message = try KWPMessage(decoding: built)
        #expect(!message.isResponse)
        #expect(message.serviceID.rawValue == built[0])
    }

    /// Lexus IS-F Techstream capture and Toyota domain notes.
    @Test(arguments: [
        ("53 01 03 35", ["P0335"]), ("53 00", []), ("53 02 03 35 13 40", ["P0335", "P1340"]),
        ("58 02 03 35 E0 C1 00 20", ["P0335", "U0100"]),
    ])
    func decodesDTCResponses(payload: String, expected: [String]) throws {
        let message = try KWPMessage(decoding: bytes(payload))
        #expect(message.isResponse)
        #expect(message.dtcs.map(\.description) == expected)
        #expect(message.dtcs.allSatisfy { $0.failureType == nil && $0.status == nil })
    }

    @Test func statusRecordsKeepTheKWPStatusByte() throws {
        guard case .readDiagnosticTroubleCodesByStatusResponse(let response) =
            try KWPMessage(decoding: bytes("58 01 03 35 E0")).content
        else {
            Issue.record("not a 0x58")
            return
        }
        #expect(response.records[0].status.storageState == 3)
        #expect(response.records[0].status.isWarningLampOn)
        #expect(response.records[0].status.description == "0xE0 (presentAtTimeOfRequest, warning lamp on)")
    }

    @Test func freezeFrameKeepsItsData() throws {
        let message = try KWPMessage(decoding: bytes("52 00 03 35 01 02"))
        guard case .readFreezeFrameDataResponse(let frame) = message.content else {
            Issue.record("not a 0x52")
            return
        }
        #expect(frame.frameNumber == 0)
        #expect(frame.code.description == "P0335")
        #expect(Array(frame.data) == [0x01, 0x02])
        #expect(frame.bytes == bytes("52 00 03 35 01 02"))
    }

    @Test func identificationAndSession() throws {
        let ident = try KWPMessage(decoding: [0x5A, 0x88] + Array("89663-0E011".utf8) + [0x00, 0x00])
        guard case .readECUIdentificationResponse(let response) = ident.content else { return }
        #expect(response.option == 0x88)
        #expect(response.text == "89663-0E011")
        let session = try KWPMessage(decoding: bytes("50 01"))
        guard case .startDiagnosticSessionResponse(let started) = session.content else { return }
        #expect(Array(started.data) == [0x01])
        let local = try KWPMessage(decoding: bytes("61 C1 41 42"))
        guard case .readDataByLocalIdentifierResponse(let data) = local.content else { return }
        #expect(data.localIdentifier == 0xC1 && Array(data.data) == [0x41, 0x42])
    }

    @Test(arguments: [
        ("7F 12 12", UInt8(0x12), "subFunctionNotSupported-invalidFormat (0x12)"),
        ("7F AA 11", 0xAA, "serviceNotSupported (0x11)"),
        ("7F 13 78", 0x13, "requestCorrectlyReceived-ResponsePending (0x78)"),
        ("7F 18 80", 0x18, "serviceNotSupportedInActiveDiagnosticSession (0x80)"),
    ])
    func negativeResponsesAreValues(payload: String, service: UInt8, text: String) throws {
        let message = try KWPMessage(decoding: bytes(payload))
        guard case .negativeResponse(let negative) = message.content else {
            Issue.record("not a negative response")
            return
        }
        #expect(negative.requestServiceID.rawValue == service)
        #expect(negative.code.description == text)
        #expect(negative.bytes == bytes(payload))
    }

    @Test func encodersRoundTrip() throws {
        let codes = [DTCCode("P0335")!, DTCCode("B15C4")!]
        let list = KWPReadDiagnosticTroubleCodes.Response(codes)
        #expect(list.bytes == bytes("53 02 03 35 95 C4"))
        #expect(try KWPMessage(decoding: list.bytes).content == .readDiagnosticTroubleCodesResponse(list))
        let byStatus = KWPReadDiagnosticTroubleCodesByStatus.Response([
            .init(DTCCode("U0100")!, status: .init(rawValue: 0x60)), .init(DTCCode("P0335")!, status: .init(rawValue: 0x20)),
        ])
        #expect(byStatus.bytes == bytes("58 02 C1 00 60 03 35 20"))
        #expect(try KWPMessage(decoding: byStatus.bytes).content == .readDiagnosticTroubleCodesByStatusResponse(byStatus))
    }

    @Test(arguments: [
        ("", KWPError.Code.empty, 0), ("53", .truncated, 1), ("53 02 03 35", .countMismatch, 1),
        ("53 01 03 35 00", .countMismatch, 1), ("58 01 03 35", .countMismatch, 1), ("52 00 03", .truncated, 2),
        ("7F 13", .truncated, 2), ("7F 13 78 00", .trailingBytes, 3), ("18 00 FF", .truncated, 2),
    ])
    func malformedPayloadsNameWhereAndWhat(payload: String, code: KWPError.Code, offset: Int) {
        let input = payload.isEmpty ? [] : bytes(payload)
        #expect {
            _ = try KWPMessage(decoding: input)
        } throws: { error in
            guard let error = error as? KWPError else { return false }
            return error.code == code && error.offset == offset && error.payload == input
        }
    }
}
