import DTC
import Diagnostics
import KWP
import Testing

/// The state a record reads as: the status byte when there is one, else the OBD mode that listed the code.
@Suite struct DTCRecordStateTests {
    static let engine = ECUAddress.standard(request: 0x7E0)!

    static func record(_ source: DiagnosticProtocol, _ service: String, status: UInt8? = nil) -> DTCRecord {
        DTCRecord(
            dtc: DiagnosticTroubleCode(
                code: DTCCode(high: 0x03, low: 0x35), status: status.map { DTCStatus(rawValue: $0) }),
            source: source, service: service, timestamp: nil, ecu: engine)
    }

    @Test(
        arguments: [
            // SAE J1979: mode 03 stored (confirmed) codes, 07 pending codes, 0A permanent codes.
            (DiagnosticProtocol.obd, "03", nil, "stored"), (.obd, "07", nil, "pending"), (.obd, "0A", nil, "permanent"),
            (.obd, "02", nil, nil),
            // KWP 0x13 lists codes with no state; UDS and KWP 0x18 status bytes speak for themselves.
            (.kwp, "13", nil, nil), (.uds, "19 02", 0x09, "current"), (.uds, "19 02", 0x08, "history"),
            (.uds, "19 02", 0x04, "pending"), (.uds, "19 02", 0x00, "stored"),
        ] as [(DiagnosticProtocol, String, UInt8?, String?)])
    func state(source: DiagnosticProtocol, service: String, status: UInt8?, expected: String?) {
        #expect(Self.record(source, service, status: status).state == expected)
    }

    /// KWP2000 statusOfDTC (ISO 14230-3): bits 5-6 the storage state, bit 7 the warning lamp.
    @Test(
        arguments: [
            (0xE0, "current"), (0x60, "current"), (0x40, "pending"), (0xA0, "history"), (0x20, "history"), (0x80, nil),
            (0x00, nil),
        ] as [(UInt8, String?)])
    func kwpStorageState(byte: UInt8, expected: String?) {
        let record = DTCRecord(
            dtc: DiagnosticTroubleCode(code: DTCCode(high: 0x03, low: 0x35)), source: .kwp, service: "18",
            timestamp: nil, ecu: Self.engine, kwpStatus: .init(rawValue: byte))
        #expect(record.state == expected)
    }

    @Test func statusByteWinsOverTheMode() {
        #expect(Self.record(.obd, "07", status: 0x08).state == "history")
    }
}
