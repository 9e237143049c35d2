import Foundation
import Testing
import TestSupport

/// Runs the built `cardiag decode` on the logs in `Fixtures/decode/` (made by `Tools/make-decode-fixtures`) and
/// compares stdout, stderr and exit status with `Fixtures/golden/decode/`. Set `CARDIAG_UPDATE_GOLDEN=1` to rewrite
/// the golden files after a deliberate change, then review the diff. The JSON and JSONL outputs are also parsed
/// and checked field by field against what the fixture script put in the frames.
@Suite struct DecodeGoldenTests {
    static let packageRoot = TestSupport.packageRoot

    /// The `cardiag` built next to this test bundle, else the debug build.
    static var binary: URL { builtExecutable(named: "cardiag") }

    typealias Run = CommandRun

    /// Runs `cardiag` from the package root with `COLUMNS=100`, optionally with a file on standard input.
    static func run(_ arguments: [String], stdin: String? = nil) throws -> Run {
        try CommandRun(
            binary, arguments, environment: ["COLUMNS": "100"],
            standardInput: stdin.map { packageRoot.appendingPathComponent($0) })
    }

    static func checkGolden(_ name: String, _ run: Run) throws {
        let golden = packageRoot.appendingPathComponent("Fixtures/golden/decode/\(name).txt")
        if ProcessInfo.processInfo.environment["CARDIAG_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(
                at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try run.transcript.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(run.transcript == expected, "\(name) differs from Fixtures/golden/decode/\(name).txt")
    }

    /// What each fixture holds, from `Tools/make-decode-fixtures`: every DTC record in order as
    /// `code failureType status` ("-" where the protocol has none), the ECUs by `request/response[ext]`, the DCM
    /// verdict.
    struct Fixture: CustomTestStringConvertible, Sendable {
        let name: String
        let dtcs: [String]
        let ecus: [String]
        let dcmVerdict: String?
        var testDescription: String { name }
        var path: String { "Fixtures/decode/\(name).log" }
    }

    static let fixtures: [Fixture] = [
        Fixture(
            name: "uds-19-02-single-and-multi",
            dtcs: ["P0301 00 09", "P0301 00 09", "P0420 00 08", "P0171 00 24"], ecus: ["7E0/7E8"], dcmVerdict: nil),
        Fixture(
            name: "dcm-750-c7-and-body",
            dtcs: ["B15C4 00 09", "B15A8 04 08", "B1244 00 08", "B2785 00 04", "C1201 00 09"],
            ecus: ["750/758[40]", "750/758[C7]"], dcmVerdict: "faultsPresent"),
        Fixture(
            name: "functional-7df",
            dtcs: ["P0A80 00 08", "P0171 00 08", "P3190 00 08", "P0A80 - -", "P0171 - -", "P3190 - -"],
            ecus: ["7E0/7E8", "7E2/7EA", "7E3/7EB"], dcmVerdict: nil),
        Fixture(
            name: "response-pending-78", dtcs: ["C1241 00 09", "C1241 00 09"], ecus: ["7B0/7B8"], dcmVerdict: nil),
        Fixture(
            name: "kwp-older-toyota", dtcs: ["P0335 - -", "P1340 - -", "P0335 - -", "P1340 - -", "P0171 - -"],
            ecus: ["7E0/7E8"], dcmVerdict: nil),
        Fixture(
            name: "obd-modes", dtcs: ["P0335 - -", "P0420 - -", "P0171 - -", "P0335 - -"], ecus: ["7E0/7E8"],
            dcmVerdict: nil),
        Fixture(
            name: "canfd-19-0a",
            dtcs: ["P0301 00 09", "P0420 00 08", "P0171 00 24"]
                + (0..<40).map { index in
                    "P01" + String(index, radix: 16, uppercase: true).leftPadded(to: 2) + " 00 "
                        + (index == 0 ? "09" : index == 1 ? "08" : "00")
                },
            ecus: ["7E0/7E8"], dcmVerdict: nil),
        Fixture(
            name: "normal-fixed-29bit", dtcs: ["U0100 00 09", "P0563 1C 2F"], ecus: ["18DA28F1/18DAF128"],
            dcmVerdict: nil),
        Fixture(name: "dcm-silent", dtcs: [], ecus: ["750/758[C7]", "7E0/7E8"], dcmVerdict: "notResponding"),
        Fixture(
            name: "remote-connect-failing", dtcs: ["B15C4 00 09", "B15DB 00 08", "U0198 87 08"],
            ecus: ["750/758[5F]", "750/758[C7]", "7D0/7D8"], dcmVerdict: "faultsPresent"),
    ]

    @Test(arguments: fixtures)
    func textWithAdvice(_ fixture: Fixture) throws {
        let run = try Self.run(["decode", "--format", "text", fixture.path])
        try Self.checkGolden("\(fixture.name)-text", run)
        #expect(run.status == 0)
    }

    @Test(arguments: fixtures)
    func json(_ fixture: Fixture) throws {
        // The text goldens hold the advice; the JSON goldens leave the (large) triage document out.
        let run = try Self.run(["decode", "--format", "json", "--no-advice", fixture.path])
        try Self.checkGolden("\(fixture.name)-json", run)
        #expect(run.status == 0)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(document["schemaVersion"] as? Int == 1)
        let dtcs = try #require(document["dtcs"] as? [[String: Any]])
        #expect(try dtcs.map(Self.describe) == fixture.dtcs)
        for dtc in dtcs { try Self.checkRecordFields(dtc) }
        let ecus = try #require(document["ecus"] as? [[String: Any]])
        #expect(try ecus.map(Self.address) == fixture.ecus)
        let summary = try #require(document["summary"] as? [String: Any])
        try Self.checkSummary(summary, fixture: fixture, dtcRecords: dtcs.count)
        let dcm = document["dcmStatus"] as? [String: Any]
        #expect(dcm?["verdict"] as? String == fixture.dcmVerdict)
        #expect(document["triage"] == nil)
    }

    @Test(arguments: fixtures)
    func jsonLines(_ fixture: Fixture) throws {
        // As for JSON, the goldens leave the triage line out; the next test checks it.
        let run = try Self.run(["decode", "--format", "jsonl", "--no-advice", fixture.path])
        try Self.checkGolden("\(fixture.name)-jsonl", run)
        #expect(run.status == 0)
        let objects = try run.stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let summaryLine = try #require(objects.last)
        #expect(summaryLine["kind"] as? String == "summary")
        #expect(summaryLine["schemaVersion"] as? Int == 1)
        let records = objects.dropLast()
        #expect(try records.map(Self.describe) == fixture.dtcs)
        for record in records { try Self.checkRecordFields(record) }
        let summary = try #require(summaryLine["summary"] as? [String: Any])
        try Self.checkSummary(summary, fixture: fixture, dtcRecords: records.count)
    }

    /// With advice, JSONL has one more line before the summary: the same triage document the JSON output holds,
    /// although JSONL keeps only one record per distinct code in each ECU's report.
    @Test(arguments: fixtures)
    func jsonLinesTriageIsTheDocumentsTriage(_ fixture: Fixture) throws {
        let lines = try Self.run(["decode", "--format", "jsonl", fixture.path])
        let document = try Self.run(["decode", "--format", "json", fixture.path])
        #expect(lines.status == 0 && document.status == 0)
        let objects = try lines.stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? NSDictionary)
        }
        #expect(objects.map { $0["kind"] as? String } == Array(repeating: nil, count: fixture.dtcs.count) + ["triage", "summary"])
        let triageLine = try #require(objects.dropLast().last)
        #expect(triageLine["schemaVersion"] as? Int == 1)
        let whole = try #require(try JSONSerialization.jsonObject(with: Data(document.stdout.utf8)) as? NSDictionary)
        let expected = try #require(whole["triage"] as? NSDictionary)
        #expect(triageLine["triage"] as? NSDictionary == expected)
    }

    /// The Remote Connect triage works through the gateway's U0198 (communication) before the DCM's and head
    /// unit's codes, whatever their status.
    @Test func remoteConnectTriageStartsWithTheCommunicationCode() throws {
        let run = try Self.run(["decode", "--format", "json", "Fixtures/decode/remote-connect-failing.log"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let plan = try #require((document["triage"] as? [String: Any])?["plan"] as? [[String: Any]])
        #expect(
            plan.compactMap { $0["category"] as? String } == ["communication", "dcmConnection", "headUnit", "account"])
        #expect((plan.first?["headline"] as? String)?.hasPrefix("U019887") == true)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let arguments: [String]
        var stdin: String?
        let status: Int32
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "codes-filter",
            arguments: ["decode", "--no-advice", "--codes", "B15xx,U11xx", "Fixtures/decode/dcm-750-c7-and-body.log"],
            status: 0),
        Case(name: "payload", arguments: ["decode", "--payload", "59 02 FF 95 C4 00 09"], status: 0),
        Case(name: "missing-file", arguments: ["decode", "Fixtures/decode/no-such.log"], status: 66),
        Case(
            name: "malformed", arguments: ["decode", "--no-advice", "Fixtures/decode/malformed-lines.log"], status: 0),
        Case(
            name: "malformed-strict", arguments: ["decode", "--strict", "Fixtures/decode/malformed-lines.log"],
            status: 65),
        Case(
            name: "stdin", arguments: ["decode", "--no-advice", "-"],
            stdin: "Fixtures/decode/remote-connect-failing.log",
            status: 0),
    ]

    @Test(arguments: cases)
    func options(_ testCase: Case) throws {
        let run = try Self.run(testCase.arguments, stdin: testCase.stdin)
        try Self.checkGolden(testCase.name, run)
        #expect(run.status == testCase.status)
    }

    @Test func codesFilterKeepsOnlyMatchingRecords() throws {
        let run = try Self.run([
            "decode", "--format", "json", "--no-advice", "--codes", "B15xx,U11xx",
            "Fixtures/decode/dcm-750-c7-and-body.log",
        ])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let dtcs = try #require(document["dtcs"] as? [[String: Any]])
        #expect(try dtcs.map(Self.describe) == ["B15C4 00 09", "B15A8 04 08"])
        #expect(document["triage"] == nil)
    }

    @Test func standardInputGivesTheSameReportAsTheFile() throws {
        let path = "Fixtures/decode/remote-connect-failing.log"
        let fromFile = try Self.run(["decode", "--format", "jsonl", path])
        let fromStdin = try Self.run(["decode", "--format", "jsonl", "-"], stdin: path)
        #expect(fromStdin.status == 0)
        #expect(fromStdin.stdout == fromFile.stdout)
    }

    // MARK: - JSON checks

    /// `code failureType status` with hex bytes, "-" for null.
    static func describe(_ record: [String: Any]) throws -> String {
        let code = try #require(record["code"] as? String)
        func hex(_ key: String) -> String {
            guard let value = record[key] as? Int else { return "-" }
            return String(value, radix: 16, uppercase: true).leftPadded(to: 2)
        }
        return "\(code) \(hex("failureType")) \(hex("status"))"
    }

    /// The documented fields of one DTC record: a 5-character code, failureType and status ints or null, source
    /// uds/kwp/obd, a timestamp, and the ECU's ids with extendedAddress int or null.
    static func checkRecordFields(_ record: [String: Any]) throws {
        let code = try #require(record["code"] as? String)
        #expect(code.count == 5)
        #expect(
            record.keys.contains("failureType") && (record["failureType"] is Int || record["failureType"] is NSNull))
        #expect(record.keys.contains("status") && (record["status"] is Int || record["status"] is NSNull))
        #expect(["uds", "kwp", "obd"].contains(record["source"] as? String))
        #expect(record["timestamp"] is Double || record["timestamp"] is Int)
        let ecu = try #require(record["ecu"] as? [String: Any])
        #expect(ecu["requestId"] is Int)
        #expect(ecu["responseId"] is Int)
        #expect(
            ecu.keys.contains("extendedAddress") && (ecu["extendedAddress"] is Int || ecu["extendedAddress"] is NSNull))
    }

    /// One frame per line in the fixture logs; the broadcast ids are 0x0B4, 0x1A0, 0x2C1 and 0x3B7.
    static func checkSummary(_ summary: [String: Any], fixture: Fixture, dtcRecords: Int) throws {
        let lines = try String(contentsOf: packageRoot.appendingPathComponent(fixture.path), encoding: .utf8)
            .split(separator: "\n")
        let broadcast = lines.filter { line in [" 0B4#", " 1A0#", " 2C1#", " 3B7#"].contains { line.contains($0) } }
        let frames = try #require(summary["frames"] as? Int)
        #expect(frames == lines.count)
        #expect(summary["messages"] is Int)
        #expect(summary["skippedLines"] as? Int == 0)
        #expect(summary["undecodableMessages"] as? Int == 0)
        #expect(summary["dtcRecords"] as? Int == dtcRecords)
        let buckets = try #require(summary["frameBuckets"] as? [String: Int])
        #expect(buckets.values.reduce(0, +) == frames)
        #expect(buckets["nonDiagnostic"] == broadcast.count)
    }

    /// `750/758[C7]` from an ECU object.
    static func address(_ ecu: [String: Any]) throws -> String {
        let request = try #require(ecu["requestId"] as? Int)
        let response = try #require(ecu["responseId"] as? Int)
        let ids = String(request, radix: 16, uppercase: true) + "/" + String(response, radix: 16, uppercase: true)
        guard let ext = ecu["extendedAddress"] as? Int else { return ids }
        return ids + "[" + String(ext, radix: 16, uppercase: true).leftPadded(to: 2) + "]"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
