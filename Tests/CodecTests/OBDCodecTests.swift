import DTC
import OBD
import Testing

@Suite struct OBDCodecTests {
    @Test(arguments: [
        ("43 01 03 35", ["P0335"], true), ("47 02 03 35 13 40", ["P0335", "P1340"], true), ("43 00", [], true),
        ("4A 00", [], true), ("47 00", [], true),
        // Legacy count-less form: even length after the mode, 00 00 filler dropped.
        ("43 03 35 13 40 00 00", ["P0335", "P1340"], false), ("43", [], false),
    ])
    func decodesTroubleCodeLists(payload: String, expected: [String], hasCount: Bool) throws {
        let message = try OBDMessage(decoding: bytes(payload))
        #expect(message.dtcs.map(\.description) == expected)
        guard case .troubleCodesResponse(let list) = message.content else {
            Issue.record("not a DTC list")
            return
        }
        #expect(list.hasCountByte == hasCount)
        #expect(list.mode == bytes(payload)[0] - 0x40)
    }

    @Test func countMismatchIsReported() {
        #expect {
            _ = try OBDMessage(decoding: bytes("43 03 03 35 13 40"))
        } throws: { error in
            (error as? OBDError)?.code == .countMismatch && (error as? OBDError)?.offset == 1
        }
    }

    @Test(arguments: [
        ("41 0C 1A F8", "engine speed (0x0C)", "1726 rpm"), ("41 0D 3C", "vehicle speed (0x0D)", "60 km/h"),
        ("41 05 7B", "engine coolant temperature (0x05)", "83 °C"), ("41 04 FF", "calculated engine load (0x04)", "100 %"),
        ("41 0F 28", "intake air temperature (0x0F)", "0 °C"), ("41 10 01 F4", "mass air flow rate (0x10)", "5 g/s"),
        ("41 11 80", "throttle position (0x11)", "50.2 %"), ("41 1F 00 3C", "run time since engine start (0x1F)", "60 s"),
        ("41 21 00 0A", "distance travelled with MIL on (0x21)", "10 km"),
        ("41 2F 40", "fuel tank level (0x2F)", "25.1 %"),
        ("41 31 01 00", "distance travelled since DTCs cleared (0x31)", "256 km"),
        ("41 42 37 DC", "control module voltage (0x42)", "14.3 V"),
        ("41 46 3C", "ambient air temperature (0x46)", "20 °C"),
        ("41 1C 01", "OBD standard (0x1C)", "OBD-II as defined by the CARB (1)"),
        ("41 51 01", "fuel type (0x51)", "gasoline (1)"),
        ("41 01 82 07 65 00", "monitor status since DTCs cleared (0x01)", "MIL on, 2 DTC(s), readiness 07 65 00"),
        ("41 00 BE 1F A8 13", "PIDs supported [01-20] (0x00)", "01 03 04 05 06 07 0C 0D 0E 0F 10 11 13 15 1C 1F 20"),
        ("41 20 80 00 00 01", "PIDs supported [21-40] (0x20)", "21 40"),
        ("41 9A 01 02", "0x9A", "01 02 (length unknown: rest of message)"),
    ])
    func decodesCurrentData(payload: String, name: String, value: String) throws {
        let message = try OBDMessage(decoding: bytes(payload))
        let field = try #require(message.fields.last)
        #expect(field.name == name)
        #expect(field.value == value)
    }

    @Test func splitsSeveralPIDsInOneResponse() throws {
        let message = try OBDMessage(decoding: bytes("41 0C 1A F8 0D 3C 05 7B"))
        guard case .currentDataResponse(let response) = message.content else { return }
        #expect(response.records.map(\.pid) == [.engineSpeed, .vehicleSpeed, .coolantTemperature])
        #expect(response.records[0].value == .quantity(1726, unit: "rpm"))
        #expect(response.bytes == bytes("41 0C 1A F8 0D 3C 05 7B"))
        #expect(OBDCurrentData.Request([.engineSpeed, .vehicleSpeed]).bytes == bytes("01 0C 0D"))
    }

    @Test func freezeFrameCarriesPIDFrameAndDTC() throws {
        #expect(OBDFreezeFrame.Request(pid: OBDParameterID(0x02), frameNumber: 0).bytes == bytes("02 02 00"))
        let message = try OBDMessage(decoding: bytes("42 02 00 03 35"))
        #expect(message.dtcs.map(\.description) == ["P0335"])
        let speed = try OBDMessage(decoding: bytes("42 0D 01 3C"))
        guard case .freezeFrameResponse(let frame) = speed.content else { return }
        #expect(frame.records[0].frameNumber == 1 && frame.records[0].value == .quantity(60, unit: "km/h"))
    }

    @Test func vehicleInformation() throws {
        let vin = Array("JTDKB20U093123456".utf8)
        let message = try OBDMessage(decoding: [0x49, 0x02, 0x01] + vin)
        guard case .vehicleInformationResponse(let response) = message.content else { return }
        #expect(response.texts == ["JTDKB20U093123456"])
        #expect(response.bytes == [0x49, 0x02, 0x01] + vin)
        let calibration = Array("34715000        ".utf8) + Array("A0C1B000\0\0\0\0\0\0\0\0".utf8)
        guard case .vehicleInformationResponse(let calids) =
            try OBDMessage(decoding: [0x49, 0x04, 0x02] + calibration).content
        else { return }
        #expect(calids.texts == ["34715000", "A0C1B000"])
        guard case .vehicleInformationResponse(let cvn) = try OBDMessage(decoding: bytes("49 06 01 12 34 56 78")).content
        else { return }
        #expect(cvn.items.map(Array.init) == [[0x12, 0x34, 0x56, 0x78]])
        guard case .vehicleInformationResponse(let supported) =
            try OBDMessage(decoding: bytes("49 00 55 40 00 00")).content
        else { return }
        #expect(supported.supportedInfoTypes == [0x02, 0x04, 0x06, 0x08, 0x0A])
        #expect(OBDVehicleInformation.Request(infoType: 0x02).bytes == bytes("09 02"))
        #expect {
            _ = try OBDMessage(decoding: [0x49, 0x02, 0x02] + vin)
        } throws: { ($0 as? OBDError)?.code == .countMismatch }
    }

    @Test func requestsAndEncoders() throws {
        #expect(OBDMessage.troubleCodesRequest(mode: 0x07) == [0x07])
        #expect(try OBDMessage(decoding: [0x03]).content == .troubleCodesRequest(mode: 0x03))
        #expect(try OBDMessage(decoding: OBDMessage.clearDiagnosticInformationRequest).content
            == .clearDiagnosticInformationRequest)
        #expect(try OBDMessage(decoding: [0x44]).content == .clearDiagnosticInformationResponse)
        let list = OBDTroubleCodes(mode: 0x03, codes: [DTCCode("P0335")!, DTCCode("U0100")!])
        #expect(list.bytes == bytes("43 02 03 35 C1 00"))
        #expect(try OBDMessage(decoding: list.bytes).content == .troubleCodesResponse(list))
        let negative = try OBDMessage(decoding: bytes("7F 01 12"))
        #expect(negative.content == .negativeResponse(mode: 0x01, code: 0x12))
        #expect(negative.fields.last?.value == "subFunctionNotSupported-invalidFormat (0x12)")
    }

    @Test(arguments: [
        ("", OBDError.Code.empty, 0), ("41", .truncated, 1), ("41 0C 1A", .truncated, 2), ("03 00", .trailingBytes, 1),
        ("49", .truncated, 1), ("49 00 01", .truncated, 2), ("01", .truncated, 1), ("42 0D", .truncated, 2),
    ])
    func malformedPayloadsNameWhereAndWhat(payload: String, code: OBDError.Code, offset: Int) {
        let input = payload.isEmpty ? [] : bytes(payload)
        #expect {
            _ = try OBDMessage(decoding: input)
        } throws: { error in
            guard let error = error as? OBDError else { return false }
            return error.code == code && error.offset == offset && error.payload == input
        }
    }
}
