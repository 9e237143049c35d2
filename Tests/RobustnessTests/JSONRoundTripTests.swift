import CANCore
import CANLog
import DTC
import Diagnostics
import Foundation
import Testing

/// `cardiag decode --format jsonl` read back with `JSONDecoder` into the model: every DTC record line of every
/// decode fixture becomes the record it was written from. What a line does not carry is named: the KWP
/// status byte (only the state it gives, which is compared), and whether an id of at most 0x7FF is 11-bit
/// (every id here is; the reader takes larger values as 29-bit).
@Suite struct JSONRoundTripTests {
    /// A record line's fields, as a reader of the stream would declare them.
    struct RecordLine: Decodable {
        struct ECU: Decodable {
            let requestId: UInt32
            let responseId: UInt32
            let extendedAddress: UInt8?
            let name: String?
        }

        let code: String
        let text: String
        let failureType: UInt8?
        let status: UInt8?
        let state: String?
        let source: String
        let service: String
        let timestamp: Double?
        let ecu: ECU

        static func id(_ value: UInt32) -> CANIdentifier? { value > 0x7FF ? .extended(value) : .standard(value) }

        /// The record this line was written from, but for the KWP status byte.
        func record() throws -> DTCRecord {
            let code = try #require(DTCCode(code))
            let dtc = DiagnosticTroubleCode(
                code: code, failureType: failureType.map(FailureType.init(rawValue:)),
                status: status.map(DTCStatus.init(rawValue:)))
            let spelled = try #require(DiagnosticTroubleCode(text))
            #expect(
                spelled.code == dtc.code && spelled.failureType == dtc.failureType, "\(text) is not the line's code")
            let address = ECUAddress(
                requestID: try #require(Self.id(ecu.requestId)), responseID: try #require(Self.id(ecu.responseId)),
                extendedAddress: ecu.extendedAddress)
            // Microseconds, as written: the Double holds them exactly enough to round back.
            let time = timestamp.map { Duration.microseconds(Int64(($0 * 1_000_000).rounded())) }
            return DTCRecord(
                dtc: dtc, source: try #require(DiagnosticProtocol(rawValue: source)), service: service, timestamp: time,
                ecu: address)
        }
    }

    static let fixtures = logs()

    static func logs() -> [String] {
        let folder = FuzzRegressionTests.root.appendingPathComponent("Fixtures/decode").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".log") }
            .sorted()
            .map { "Fixtures/decode/" + $0 } + ["Fixtures/demo/toyota-dcm-b15c4.log"]
    }

    @Test(arguments: fixtures)
    func recordLinesReadBackAsTheRecords(_ path: String) throws {
        let reader = try LogReader(path: FuzzRegressionTests.root.appendingPathComponent(path).path)
        var decoder = LogDecoder()
        while let frame = try reader.next() { decoder.feed(frame) }
        let report = decoder.finish(skippedLines: reader.skipped)
        var writer = DiagnosticReportJSON.RecordLineWriter()
        let json = JSONDecoder()
        for original in report.dtcs {
            var bytes: [UInt8] = []
            writer.append(original, ecuName: decoder.ecuName(at: original.ecu), to: &bytes)
            let line = try json.decode(RecordLine.self, from: Data(bytes))
            var expected = original
            expected.kwpStatus = nil
            #expect(try line.record() == expected, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(line.state == original.state)
            #expect(line.ecu.name == decoder.ecuName(at: original.ecu))
        }
        // The stream of the whole report ends in its summary, which reads back as the report's counts.
        let lines = DiagnosticReportJSON(report: report).lines()
        #expect(lines.count == report.dtcs.count + 1)
        struct SummaryLine: Decodable {
            struct Summary: Decodable {
                let frames: Int
                let messages: Int
                let skippedLines: Int
                let dtcRecords: Int
                let frameBuckets: [String: Int]
            }
            let kind: String
            let summary: Summary
        }
        let summary = try json.decode(SummaryLine.self, from: Data(try #require(lines.last).utf8))
        #expect(summary.kind == "summary")
        #expect(summary.summary.frames == report.summary.frames)
        #expect(summary.summary.messages == report.summary.messages)
        #expect(summary.summary.skippedLines == report.summary.skippedLines)
        #expect(summary.summary.dtcRecords == report.dtcs.count)
        #expect(summary.summary.frameBuckets == report.summary.frameBuckets)
        #expect(report.dtcs.count > 0 || path.contains("silent") || path.contains("malformed"))
    }
}
