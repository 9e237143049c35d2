import CANCore
import DTC
import Testing

@testable import Diagnostics

/// The JSONL record writer must produce what `JSONEncoder` (sorted keys) makes of the same record, byte for
/// byte: the fast path is only a shortcut.
@Suite struct DTCRecordLineTests {
    static let timestamps: [Duration?] = [
        nil, .zero, .seconds(1), .seconds(1_700_000_000), .milliseconds(1_700_000_000_016),
        .microseconds(1_700_000_000_016_100), .microseconds(1), .microseconds(123_456_789), .microseconds(999_999),
        .nanoseconds(1_500), Duration(secondsComponent: 1_700_000_123, attosecondsComponent: 999_999_000_000_000_000),
        .microseconds(40_000_000_000_000_001), .microseconds(-2_500_000),
    ]

    static let dtcs: [DiagnosticTroubleCode] = [
        DiagnosticTroubleCode(udsHigh: 0x95, middle: 0xC4, low: 0x64, status: DTCStatus(rawValue: 0x09)),
        DiagnosticTroubleCode(udsHigh: 0xC1, middle: 0x98, low: 0x00, status: DTCStatus(rawValue: 0xFF)),
        DiagnosticTroubleCode(udsHigh: 0x01, middle: 0x23, low: 0x7F, status: DTCStatus(rawValue: 0x00)),
        DiagnosticTroubleCode(code: DTCCode(rawValue: 0x4100)),
        DiagnosticTroubleCode(code: DTCCode(rawValue: 0xD5A8), failureType: FailureType(rawValue: 0x04)),
    ]

    static let ecus: [(ECUAddress, String?)] = [
        (
            ECUAddress(requestID: .standard(0x750)!, responseID: .standard(0x758)!, extendedAddress: 0xC7),
            "Telematics (DCM)"
        ),
        (ECUAddress(requestID: .standard(0x7E0)!, responseID: .standard(0x7E8)!), nil),
        (ECUAddress(requestID: .extended(0x18DA_10F1)!, responseID: .extended(0x18DA_F110)!), "Body \"B\" / 2\\x"),
        (ECUAddress(requestID: .standard(0x7E1)!, responseID: .standard(0x7E9)!), "tab\there"),
    ]

    @Test(arguments: 0..<timestamps.count)
    func lineMatchesTheEncoder(_ timestampIndex: Int) {
        for dtc in Self.dtcs {
            for (ecu, name) in Self.ecus {
                for (source, service) in [(DiagnosticProtocol.uds, "19 02"), (.kwp, "18"), (.obd, "03")] {
                    let record = DTCRecord(
                        dtc: dtc, source: source, service: service, timestamp: Self.timestamps[timestampIndex], ecu: ecu
                    )
                    let expected = DiagnosticReportJSON.encode(DTCRecordJSON(record, ecuName: name), pretty: false)
                    #expect(DiagnosticReportJSON.line(for: record, ecuName: name) == expected)
                }
            }
        }
    }

    /// Every status byte, every failure type (with and without a status) and codes of every system letter.
    @Test(arguments: [DiagnosticProtocol.uds, .kwp])
    func everyStatusAndFailureTypeMatchesTheEncoder(source: DiagnosticProtocol) {
        let ecu = ECUAddress(requestID: .standard(0x750)!, responseID: .standard(0x758)!, extendedAddress: 0x40)
        var dtcs: [DiagnosticTroubleCode] = []
        for byte in 0...255 {
            let code = DTCCode(rawValue: UInt16(byte) << 8 | UInt16(255 - byte))
            dtcs.append(DiagnosticTroubleCode(code: code, failureType: FailureType(rawValue: UInt8(byte))))
            dtcs.append(
                DiagnosticTroubleCode(
                    udsHigh: UInt8(byte), middle: 0x5A, low: UInt8(byte ^ 0xA5),
                    status: DTCStatus(rawValue: UInt8(byte))))
        }
        for (index, dtc) in dtcs.enumerated() {
            let record = DTCRecord(
                dtc: dtc, source: source, service: "19 02",
                timestamp: .microseconds(1_700_000_000_000_000 + index * 230),
                ecu: ecu)
            let expected = DiagnosticReportJSON.encode(DTCRecordJSON(record, ecuName: "Body"), pretty: false)
            #expect(DiagnosticReportJSON.line(for: record, ecuName: "Body") == expected)
        }
    }

    /// Appending to a buffer writes the same bytes as the line, after what the buffer holds.
    @Test func appendingMatchesTheLine() {
        let record = DTCRecord(
            dtc: Self.dtcs[0], source: .uds, service: "19 02", timestamp: .seconds(5), ecu: Self.ecus[2].0)
        for (_, name) in Self.ecus {
            var bytes = Array("x".utf8)
            DiagnosticReportJSON.appendLine(for: record, ecuName: name, to: &bytes)
            #expect(bytes == Array(("x" + DiagnosticReportJSON.line(for: record, ecuName: name)).utf8))
        }
    }

    /// A writer that keeps the last timestamp's text writes what the encoder does for every record, whether the
    /// timestamp is the one before (records of one response), another, or none.
    @Test func recordLineWriterMatchesTheEncoder() {
        var writer = DiagnosticReportJSON.RecordLineWriter()
        var written: [UInt8] = []
        var expected = ""
        let sequence = [3, 3, 3, 0, 0, 5, 3, 3, 12, 11, 11, 1, 0]
        for (step, timestampIndex) in sequence.enumerated() {
            let (ecu, name) = Self.ecus[(step / 2) % Self.ecus.count]  // two records per ECU in a row
            let record = DTCRecord(
                dtc: Self.dtcs[step % Self.dtcs.count], source: step % 5 == 4 ? .kwp : .uds,
                service: step % 3 == 2 ? "18" : "19 02",
                timestamp: Self.timestamps[timestampIndex], ecu: ecu)
            writer.append(record, ecuName: name, to: &written)
            written.append(0x0A)
            expected += DiagnosticReportJSON.encode(DTCRecordJSON(record, ecuName: name), pretty: false) + "\n"
        }
        #expect(String(decoding: written, as: UTF8.self) == expected)
    }
}
