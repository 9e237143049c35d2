import DTC
import Foundation
import Interpretation
import Testing
import TestSupport

/// Golden output of `cardiag explain` and of the triage renderer, at width 80. Set `UPDATE_GOLDEN=1` to rewrite
/// the files, then review the diff before committing.
@Suite struct ExplainTests {
    static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/explain")
    static let formats: [(InterpretationRenderer.Format, String)] = [(.text, "txt"), (.json, "json"), (.markdown, "md")]

    let base: KnowledgeBase
    let renderer = InterpretationRenderer(width: 80)
    init() throws { base = try KnowledgeBase.builtIn() }

    func checkGolden(_ name: String, _ actual: String) throws {
        let url = Self.goldenFolder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(name) differs from the golden file; rerun with UPDATE_GOLDEN=1 and review")
    }

    @Test(arguments: ["B15C4", "B15A804", "B15DB", "U1103", "U0198", "B15F0"])
    func explainGolden(code: String) throws {
        let interpretation = base.lookup(try #require(DiagnosticTroubleCode(code)))
        for (format, suffix) in Self.formats {
            try checkGolden("\(code).\(suffix)", renderer.render([interpretation], as: format))
        }
    }

    static let gateway = ECUIdentity(
        name: "Central gateway", requestID: 0x750, responseID: 0x758, extendedAddress: 0x5F, role: .gateway)
    static let dcm = ECUIdentity(
        name: "DCM (telematics)", requestID: 0x750, responseID: 0x758, extendedAddress: 0xC7, role: .dcm)
    static let headUnit = ECUIdentity(name: "Head unit", requestID: 0x7D0, responseID: 0x7D8, role: .headUnit)

    static func dtc(_ text: String, status: UInt8) -> DiagnosticTroubleCode {
        var value = DiagnosticTroubleCode(text)!
        value.status = DTCStatus(rawValue: status)
        return value
    }

    @Test(arguments: [
        ("triage-clean", VehicleFindings(findings: [ECUFinding(ecu: dcm, dtcs: [])], dcmStatus: .healthy)),
        (
            "triage-u0198-b15c4-b15db",
            VehicleFindings(
                findings: [
                    ECUFinding(ecu: headUnit, dtcs: [dtc("B15DB", status: 0x09)]),
                    ECUFinding(ecu: dcm, dtcs: [dtc("B15C4", status: 0x08)]),
                    ECUFinding(ecu: gateway, dtcs: [dtc("U0198", status: 0x09)]),
                ], dcmStatus: .faultsPresent)
        ),
    ])
    func triageGolden(name: String, vehicle: VehicleFindings) throws {
        let plan = Triage(knowledgeBase: base).plan(for: vehicle)
        for (format, suffix) in Self.formats {
            try checkGolden("\(name).\(suffix)", renderer.render(plan, as: format))
        }
    }

    @Test func symptomGolden() throws {
        let interpretation = try #require(base.explain(symptom: "app-pairing"))
        try checkGolden("symptom-app-pairing.txt", renderer.render([interpretation], as: .text))
    }

    // MARK: - The binary

    /// Runs the built `cardiag` (next to the test bundle) and returns its exit status, stdout and stderr.
    func run(_ arguments: [String]) throws -> CommandRun {
        let binary = builtExecutable(named: "cardiag")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build cardiag first")
        return try CommandRun(binary, arguments, environment: ["COLUMNS": "80"])
    }

    @Test(arguments: [["B15C4"], ["b15c4"]])
    func binaryPrintsTheGoldenPage(arguments: [String]) throws {
        let result = try run(["explain"] + arguments)
        #expect(result.status == 0)
        #expect(result.stdout == (try String(contentsOf: Self.goldenFolder.appendingPathComponent("B15C4.txt"), encoding: .utf8)))
    }

    @Test(arguments: ["B15C464", "B15C4-64"])
    func binaryAcceptsFailureTypeForms(code: String) throws {
        let result = try run(["explain", code, "--format", "json"])
        #expect(result.status == 0)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["schemaVersion"] as? Int == 1)
        let first = try #require((document["interpretations"] as? [[String: Any]])?.first)
        #expect(first["subject"] as? String == "B15C464")
        #expect(first["entryId"] as? String == "B15C4")
    }

    @Test(arguments: [
        (["explain", "B15Q4"], Int32(64), "'B15Q4' is not a trouble code"),
        (["explain"], 64, "Give at least one trouble code"),
        (["explain", "--symptom", "flat-tyre"], 64, "Unknown symptom 'flat-tyre'"),
        (["explain", "B15C4", "--format", "pdf"], 64, "pdf"),
        (["explain", "B15C4", "--knowledge-base", "/nonexistent/kb.json"], 66, "/nonexistent/kb.json: no such file"),
    ] as [([String], Int32, String)])
    func binaryRejectsBadInput(arguments: [String], status: Int32, message: String) throws {
        let result = try run(arguments)
        #expect(result.status == status)
        #expect(result.stderr.contains(message))
        #expect(result.stdout.isEmpty)
    }

    @Test func binaryNamesTheBadOverlayEntry() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cardiag-bad-kb-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try #"{"schemaVersion": 1, "entries": [{"id": "mine", "patterns": ["B15C4"]}]}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try run(["explain", "B15C4", "--knowledge-base", file.path])
        #expect(result.status == 65)
        #expect(result.stderr.contains(#"\#(file.path): entry 0 ("mine"): title: missing"#))
    }

    @Test func binaryUsesTheOverlay() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cardiag-kb-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try #"""
        {"schemaVersion": 1, "sources": [{"id": "shop", "title": "Shop notes"}],
         "entries": [{"id": "B15C4-local", "patterns": ["B15C4"], "title": "Our B15C4", "system": "Telematics",
           "category": "dcmConnection", "remoteConnectSeverity": "blocking",
           "meanings": [{"text": "Seen on our fleet.", "source": "shop"}]}]}
        """#.write(to: file, atomically: true, encoding: .utf8)
        let result = try run(["explain", "B15C4", "--knowledge-base", file.path, "--format", "markdown"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("## B15C4 — Our B15C4"))
        #expect(result.stdout.contains("Seen on our fleet. [1]"))
    }
}
