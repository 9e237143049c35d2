import DTC
import Testing
import UDS

/// Parses "59 02 FF" test notation.
func bytes(_ text: String) -> [UInt8] {
    text.split(separator: " ").map { UInt8($0, radix: 16)! }
}

@Suite struct UDSRequestBuilderTests {
    @Test(arguments: [
        (DiagnosticSessionControl.Request(.extendedDiagnosticSession).bytes, "10 03"),
        (DiagnosticSessionControl.Request(.defaultSession, suppressPositiveResponse: true).bytes, "10 81"),
        (ECUReset.Request(.hardReset).bytes, "11 01"),
        (ECUReset.Request(.softReset, suppressPositiveResponse: true).bytes, "11 83"),
        (ClearDiagnosticInformation.Request().bytes, "14 FF FF FF"),
        (ClearDiagnosticInformation.Request(.emissionsRelated, memorySelection: 0x10).bytes, "14 FF FF 33 10"),
        (ReadDTCInformation.Request.dtcs(byStatusMask: DTCStatus(rawValue: 0xFF)).bytes, "19 02 FF"),
        (ReadDTCInformation.Request.numberOfDTC(byStatusMask: .confirmedDTC).bytes, "19 01 08"),
        (ReadDTCInformation.Request.snapshotRecords(of: DiagnosticTroubleCode("B15A8-04")!, record: 0x01).bytes,
         "19 04 95 A8 04 01"),
        (ReadDTCInformation.Request.extendedData(of: DiagnosticTroubleCode("U0100-87")!).bytes, "19 06 C1 00 87 FF"),
        (ReadDTCInformation.Request.dtcs(bySeverity: .checkImmediately, status: .testFailed).bytes, "19 08 80 01"),
        (ReadDTCInformation.Request.report(.reportSupportedDTC).bytes, "19 0A"),
        (ReadDTCInformation.Request.userMemoryDTCs(byStatusMask: .confirmedDTC, memorySelection: 0x01).bytes,
         "19 17 08 01"),
        (ReadDTCInformation.Request.wwhOBDDTCs(status: .confirmedDTC, severity: .checkImmediately).bytes, "19 42 33 08 80"),
        (ReadDTCInformation.Request.wwhOBDPermanentDTCs().bytes, "19 55 33"),
        (ReadDTCInformation.Request.dtcs(readinessGroup: 0x01).bytes, "19 56 33 01"),
        (ReadDataByIdentifier.Request(.vehicleIdentificationNumber).bytes, "22 F1 90"),
        (ReadDataByIdentifier.Request([.applicationSoftwareIdentification, .ecuSerialNumber]).bytes, "22 F1 81 F1 8C"),
        (TesterPresent.Request().bytes, "3E 00"),
        (TesterPresent.Request(suppressPositiveResponse: true).bytes, "3E 80"),
        (ControlDTCSetting.Request(.off).bytes, "85 02"),
        (ControlDTCSetting.Request(.on, suppressPositiveResponse: true).bytes, "85 81"),
    ])
    func buildsTheStandardBytes(built: [UInt8], expected: String) {
        #expect(built == bytes(expected))
    }

    /// Every 0x19 report type: a request built with the parameters the type carries decodes back to itself.
    @Test(arguments: ReadDTCInformation.ReportType.all)
    func everyReportTypeRoundTrips(reportType: ReadDTCInformation.ReportType) throws {
        let dtc = DiagnosticTroubleCode("C1812-87")!
        let request: ReadDTCInformation.Request
        switch reportType.rawValue {
        case 0x01, 0x02, 0x0F, 0x11, 0x12, 0x13: request = .report(reportType, statusMask: DTCStatus(rawValue: 0x2D))
        case 0x04, 0x06, 0x10: request = ReadDTCInformation.Request(reportType, dtc: dtc, recordNumber: 0x05)
        case 0x05, 0x16, 0x1A: request = ReadDTCInformation.Request(reportType, recordNumber: 0x22)
        case 0x07, 0x08:
            request = ReadDTCInformation.Request(reportType, statusMask: .pendingDTC, severityMask: .checkAtNextHalt)
        case 0x09: request = .severityInformation(of: dtc)
        case 0x17: request = .userMemoryDTCs(byStatusMask: .testFailed, memorySelection: 0x07)
        case 0x18: request = .userMemorySnapshotRecords(of: dtc, record: 0x02, memorySelection: 0x07)
        case 0x19: request = .userMemoryExtendedData(of: dtc, record: 0x03, memorySelection: 0x07)
        case 0x42: request = .wwhOBDDTCs(functionalGroup: 0x33, status: .confirmedDTC, severity: .maintenanceOnly)
        case 0x55: request = .wwhOBDPermanentDTCs(functionalGroup: 0x33)
        case 0x56: request = .dtcs(readinessGroup: 0x04)
        default: request = .report(reportType)
        }
        let built = request.bytes
        #expect(built[1] == reportType.rawValue)
        let message = try UDSMessage(decoding: built)
        guard case .readDTCInformationRequest(let decoded) = message.content else {
            Issue.record("not a 0x19 request: \(message.content)")
            return
        }
        #expect(decoded.reportType == request.reportType)
        #expect(decoded == request)
        #expect(decoded.bytes == built)
    }

    @Test func vehicleChangingServicesAreListedAndNeverBuilt() throws {
        #expect(UDSServiceID.securityAccess.isVehicleChangingNotSent)
        #expect(UDSServiceID.writeDataByIdentifier.isVehicleChangingNotSent)
        #expect(UDSServiceID.routineControl.isVehicleChangingNotSent)
        #expect(!UDSServiceID.readDTCInformation.isVehicleChangingNotSent)
        // Recognised and decoded structurally.
        let write = try UDSMessage(decoding: bytes("2E F1 5A 01 02 03"))
        guard case .writeDataByIdentifierRequest(let request) = write.content else {
            Issue.record("not decoded as 0x2E")
            return
        }
        #expect(request.record.identifier == DataIdentifier(0xF15A))
        #expect(Array(request.record.data) == [1, 2, 3])
        #expect(write.fields.contains { $0.name == "note" })
        let routine = try UDSMessage(decoding: bytes("31 01 FF 00 01"))
        guard case .routineControlRequest(let start) = routine.content else {
            Issue.record("not decoded as 0x31")
            return
        }
        #expect(start.controlType == 1 && start.routineIdentifier == 0xFF00 && Array(start.options) == [1])
        let seed = try UDSMessage(decoding: bytes("67 11 12 34"))
        guard case .securityAccessResponse(let response) = seed.content else {
            Issue.record("not decoded as 0x67")
            return
        }
        #expect(response.securityAccessType == 0x11 && Array(response.seed) == [0x12, 0x34])
    }
}

@Suite struct UDSResponseTests {
    /// Real payloads: Hyundai Kona captures (CC0) and the project's worked example.
    @Test(arguments: [
        ("59 02 FF 58 12 87 28", ["C1812-87"], [UInt8(0x28)]),
        ("59 02 09 96 03 00 08 A8 01 00 08 56 7C 00 08 A2 11 00 08 58 29 00 08",
         ["B1603-00", "B2801-00", "C167C-00", "B2211-00", "C1829-00"], [0x08, 0x08, 0x08, 0x08, 0x08]),
        ("59 02 FF 95 C4 00 09", ["B15C4-00"], [0x09]),
        ("59 02 FF", [], []),
        ("59 0A FF C1 00 87 2F D1 03 87 00", ["U0100-87", "U1103-87"], [0x2F, 0x00]),
        ("59 15 FF 03 35 00 08", ["P0335-00"], [0x08]),
        ("59 0E 09 95 A8 04 09", ["B15A8-04"], [0x09]),
    ])
    func decodesDTCLists(payload: String, expected: [String], statuses: [UInt8]) throws {
        let message = try UDSMessage(decoding: bytes(payload))
        #expect(message.isResponse)
        #expect(message.serviceID == .readDTCInformation)
        #expect(message.dtcs.map(\.hyphenatedText) == expected)
        #expect(message.dtcs.map { $0.status?.rawValue } == statuses.map { Optional($0) })
    }

    @Test func sessionResponseCarriesServerTiming() throws {
        let message = try UDSMessage(decoding: bytes("50 03 00 32 01 F4"))
        guard case .diagnosticSessionControlResponse(let response) = message.content else {
            Issue.record("not a 0x50")
            return
        }
        #expect(response.sessionType == .extendedDiagnosticSession)
        #expect(response.p2ServerMaximum == .milliseconds(50))
        #expect(response.p2StarServerMaximum == .milliseconds(5000))
        #expect(response.bytes == bytes("50 03 00 32 01 F4"))
        #expect(message.fields.contains { $0.name == "P2*server_max" && $0.value == "5000 ms" })
        // ISO 14229-1:2006 servers answer without the timing record.
        let old = try UDSMessage(decoding: bytes("50 01"))
        guard case .diagnosticSessionControlResponse(let short) = old.content else { return }
        #expect(short.p2ServerMaximum == nil)
    }

    @Test(arguments: [
        ("7F 19 78", UInt8(0x19), UInt8(0x78), "requestCorrectlyReceivedResponsePending (0x78)"),
        ("7F 22 31", 0x22, 0x31, "requestOutOfRange (0x31)"), ("7F 10 21", 0x10, 0x21, "busyRepeatRequest (0x21)"),
        ("7F 19 7E", 0x19, 0x7E, "subFunctionNotSupportedInActiveSession (0x7E)"),
        ("7F 19 7F", 0x19, 0x7F, "serviceNotSupportedInActiveSession (0x7F)"),
        ("7F 31 92", 0x31, 0x92, "voltageTooHigh (0x92)"), ("7F 31 93", 0x31, 0x93, "voltageTooLow (0x93)"),
        ("7F 3E F3", 0x3E, 0xF3, "vehicleManufacturerSpecificConditionsNotCorrect (0xF3)"),
        ("7F 3E 99", 0x3E, 0x99, "0x99"),
    ])
    func negativeResponsesAreValues(payload: String, service: UInt8, code: UInt8, text: String) throws {
        let message = try UDSMessage(decoding: bytes(payload))
        let negative = try #require(message.negativeResponse)
        #expect(negative.requestServiceID == UDSServiceID(service))
        #expect(negative.code == NegativeResponseCode(code))
        #expect(negative.code.description == text)
        #expect(negative.code.isResponsePending == (code == 0x78))
        #expect(negative.bytes == bytes(payload))
        #expect(message.dtcs.isEmpty)
    }

    @Test func readDataByIdentifierKeepsUnknownLengthsAsBytes() throws {
        let vin = Array("JTDKB20U093123456".utf8)
        let single = try UDSMessage(decoding: [0x62, 0xF1, 0x90] + vin)
        guard case .readDataByIdentifierResponse(let response) = single.content else {
            Issue.record("not a 0x62")
            return
        }
        #expect(response.records.count == 1)
        #expect(response.records[0].text == "JTDKB20U093123456")
        #expect(!response.records[0].isRemainderOfMessage)

        // Session (1 byte, known) then VIN (17, known) then an unknown DID: the last takes the rest.
        let payload = [0x62, 0xF1, 0x86, 0x03, 0xF1, 0x90] + vin + [0xF1, 0x00, 0xAA, 0xBB]
        let several = try UDSMessage(decoding: payload)
        guard case .readDataByIdentifierResponse(let three) = several.content else { return }
        #expect(three.records.map(\.identifier.rawValue) == [0xF186, 0xF190, 0xF100])
        #expect(three.records[2].isRemainderOfMessage)
        #expect(Array(three.records[2].data) == [0xAA, 0xBB])
        #expect(three.bytes == payload)
        #expect(several.fields.contains { $0.value == "extendedDiagnosticSession (0x03)" })

        // Without a known length the first DID swallows the rest; with one the second splits out.
        let twoUnknown = bytes("62 F1 8C 31 32 F1 8A 41")
        guard case .readDataByIdentifierResponse(let lumped) = try UDSMessage(decoding: twoUnknown).content else { return }
        #expect(lumped.records.count == 1)
        let options = UDSDecodingOptions(dataIdentifierLengths: [.ecuSerialNumber: 2])
        guard case .readDataByIdentifierResponse(let split) = try UDSMessage(decoding: twoUnknown, options: options).content
        else { return }
        #expect(split.records.map(\.identifier) == [.ecuSerialNumber, .systemSupplierIdentifier])
        #expect(split.records[0].text == "12")
    }

    @Test func snapshotRecordsUseTheDIDLengthTable() throws {
        // 59 04 DTC status | record 01, 2 identifiers: 0x0101 (2 bytes) 0x0102 (1 byte) | record 02, 1 id 0x0101
        let payload = bytes("59 04 95 A8 04 09 01 02 01 01 0A 0B 01 02 0C 02 01 01 01 0D 0E")
        let options = UDSDecodingOptions(dataIdentifierLengths: [DataIdentifier(0x0101): 2, DataIdentifier(0x0102): 1])
        let message = try UDSMessage(decoding: payload, options: options)
        guard case .readDTCInformationResponse(let response) = message.content else { return }
        let record = try #require(response.records.first)
        #expect(record.dtc.hyphenatedText == "B15A8-04")
        #expect(record.snapshots.map(\.recordNumber) == [1, 2])
        #expect(record.snapshots[0].dataRecords.map { Array($0.data) } == [[0x0A, 0x0B], [0x0C]])
        #expect(record.snapshots[1].dataRecords.map { Array($0.data) } == [[0x0D, 0x0E]])
        #expect(response.bytes == payload)

        // Without the table: the first DID keeps the rest of the message as bytes.
        guard case .readDTCInformationResponse(let raw) = try UDSMessage(decoding: payload).content else { return }
        let first = try #require(raw.records.first?.snapshots.first?.dataRecords.first)
        #expect(first.isRemainderOfMessage)
        #expect(first.data.count == payload.count - 10)
    }

    @Test func extendedDataKeepsBytesUnlessTheLengthIsKnown() throws {
        let payload = bytes("59 06 C1 00 87 2F 01 05 02 AA BB")
        guard case .readDTCInformationResponse(let raw) = try UDSMessage(decoding: payload).content else { return }
        #expect(raw.records[0].extendedData.count == 1)
        #expect(Array(raw.records[0].extendedData[0].data) == [0x05, 0x02, 0xAA, 0xBB])
        let options = UDSDecodingOptions(extendedDataRecordLengths: [0x01: 1, 0x02: 2])
        guard case .readDTCInformationResponse(let split) = try UDSMessage(decoding: payload, options: options).content
        else { return }
        #expect(split.records[0].extendedData.map(\.recordNumber) == [0x01, 0x02])
        #expect(split.records[0].extendedData.map { Array($0.data) } == [[0x05], [0xAA, 0xBB]])
        #expect(split.bytes == payload)
    }

    /// One literal response per layout; each decodes and re-encodes to the same bytes.
    @Test(arguments: [
        "59 01 FF 01 00 05", "59 07 09 04 01 00", "59 03 95 A8 04 01 C1 00 87 02",
        "59 05 01 95 A8 04 09 01 01 01 0A 0B", "59 05 07", "59 08 FF 40 10 C1 00 87 09 80 20 D1 03 87 08",
        "59 09 FF 20 11 95 C4 64 01", "59 14 C1 00 87 10 95 C4 64 7F", "59 16 03 C1 00 87 09 01 02",
        "59 17 01 FF C1 00 87 09", "59 18 02 95 A8 04 09 01 01 01 01 0A 0B",
        "59 19 03 95 A8 04 09 07 01 02 03", "59 1A FF 05 C1 00 87 09", "59 42 33 FF FF 04 80 C1 00 87 09",
        "59 55 33 FF 04 03 35 00 08", "59 56 33 FF 04 01 03 35 00 08", "59 10 C1 00 87 09 05 AA",
        "59 13 FF 03 35 00 08", "59 0F FF 03 35 00 08", "59 11 FF 00 00 02", "59 12 FF 00 00 02",
        "59 0B FF", "59 0C FF 03 35 00 08", "59 0D FF 03 35 00 08", "59 60 01 02 03",
    ])
    func everyLayoutRoundTrips(payload: String) throws {
        let options = UDSDecodingOptions(dataIdentifierLengths: [DataIdentifier(0x0101): 2])
        let message = try UDSMessage(decoding: bytes(payload), options: options)
        guard case .readDTCInformationResponse(let response) = message.content else {
            Issue.record("not a 0x59: \(message.content)")
            return
        }
        #expect(response.bytes == bytes(payload))
        #expect(!message.fields.isEmpty)
    }

    @Test func countAndSeverityFields() throws {
        guard case .readDTCInformationResponse(let count) = try UDSMessage(decoding: bytes("59 01 FF 01 00 05")).content
        else { return }
        #expect(count.numberOfDTC == 5 && count.formatIdentifier == .iso14229Format)
        guard case .readDTCInformationResponse(let severity) =
            try UDSMessage(decoding: bytes("59 08 FF 40 10 C1 00 87 09")).content
        else { return }
        #expect(severity.records[0].severity == .checkAtNextHalt && severity.records[0].functionalUnit == 0x10)
        guard case .readDTCInformationResponse(let counters) =
            try UDSMessage(decoding: bytes("59 14 C1 00 87 10")).content
        else { return }
        #expect(counters.records[0].faultDetectionCounter == 0x10 && counters.records[0].dtc.status == nil)
    }

    @Test func encodersRoundTrip() throws {
        let dtcs = [DiagnosticTroubleCode(udsHigh: 0x95, middle: 0xC4, low: 0x64, status: [.testFailed, .confirmedDTC]),
            DiagnosticTroubleCode(udsHigh: 0xC1, middle: 0x00, low: 0x87, status: .confirmedDTC)]
        let list = ReadDTCInformation.Response.dtcList(dtcs, statusAvailabilityMask: DTCStatus(rawValue: 0x7F))
        #expect(list.bytes == bytes("59 02 7F 95 C4 64 09 C1 00 87 08"))
        let decodedList = try UDSMessage(decoding: list.bytes)
        #expect(decodedList.content == .readDTCInformationResponse(list))
        #expect(decodedList.dtcs == dtcs)

        let count = ReadDTCInformation.Response.count(2)
        #expect(count.bytes == bytes("59 01 FF 01 00 02"))
        #expect(try UDSMessage(decoding: count.bytes).content == .readDTCInformationResponse(count))

        let session = DiagnosticSessionControl.Response(
            .extendedDiagnosticSession, p2ServerMaximum: .milliseconds(50), p2StarServerMaximum: .seconds(5))
        #expect(try UDSMessage(decoding: session.bytes).content == .diagnosticSessionControlResponse(session))

        let identification = ReadDataByIdentifier.Response([
            DataRecord(identifier: .vehicleIdentificationNumber, data: Array("JTDKB20U093123456".utf8)[...])])
        #expect(try UDSMessage(decoding: identification.bytes).content == .readDataByIdentifierResponse(identification))
    }

    @Test func fieldsReadLikeAReport() throws {
        let fields = try UDSMessage(decoding: bytes("59 02 FF 95 C4 00 09")).fields
        #expect(fields.first { $0.name == "service" }?.value == "ReadDTCInformation (0x19) positive response")
        #expect(fields.first { $0.name == "report type" }?.value == "reportDTCByStatusMask (0x02)")
        #expect(fields.first { $0.name == "DTC 1" }?.value
            == "B15C4-00 [no sub type information] status 0x09 (current, confirmed)")
    }
}

@Suite struct UDSErrorTests {
    @Test(arguments: [
        ("", UDSError.Code.empty, 0),
        ("59", .truncated, 1),
        ("59 02 FF 58 12 87", .lengthMismatch, 3),
        ("59 02 FF 58 12 87 28 00", .lengthMismatch, 7),
        ("59 01 FF 01 00", .truncated, 4),
        ("50 03 00 32", .truncated, 4),
        ("50 03 00 32 01 F4 00", .trailingBytes, 6),
        ("7F 19", .truncated, 2),
        ("7F 19 78 00", .trailingBytes, 3),
        ("22 F1", .lengthMismatch, 1),
        ("19 02", .truncated, 2),
        ("19 04 95 A8 04", .truncated, 5),
        ("3E 00 00", .trailingBytes, 2),
        ("14 FF FF", .truncated, 1),
        ("59 08 FF 40 10 C1 00 87", .lengthMismatch, 3),
    ])
    func malformedPayloadsNameWhereAndWhat(payload: String, code: UDSError.Code, offset: Int) {
        let input = payload.isEmpty ? [] : bytes(payload)
        #expect {
            _ = try UDSMessage(decoding: input)
        } throws: { error in
            guard let error = error as? UDSError else { return false }
            return error.code == code && error.offset == offset && error.payload == input
        }
    }
}
