import Foundation
import Interpretation
import Testing
import TestSupport

/// The JSON Schemas under `Schemas/` hold for what the built `cardiag` really prints, checked by a real validator
/// (python-jsonschema, pinned in `Tools/json-schema/requirements.txt`, installed by `Tools/json-schema/setup` into
/// `.build/json-schema-venv`; `make test` runs the setup). Without the venv these tests skip, except under CI.
@Suite struct SchemaValidationTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let python = packageRoot.appendingPathComponent(".build/json-schema-venv/bin/python")
    static let validator = packageRoot.appendingPathComponent("Tools/json-schema/validate")
    static let schemas = packageRoot.appendingPathComponent("Schemas")
    static let validatorPresent = FileManager.default.isExecutableFile(atPath: python.path)
    static let underCI = ProcessInfo.processInfo.environment["CI"] == "true"

    static func path(_ relative: String) -> String { packageRoot.appendingPathComponent(relative).path }

    /// Runs `executable` from the package root; stdout and stderr are returned as text.
    static func run(_ executable: URL, _ arguments: [String]) throws -> CommandRun {
        try CommandRun(executable, arguments)
    }

    /// The `cardiag` that `swift test` built beside the test bundle.
    static func cardiag(_ arguments: [String]) throws -> String {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("cardiag")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build cardiag first")
        let result = try run(binary, arguments)
        #expect(result.status == 0, "cardiag \(arguments.joined(separator: " ")): \(result.stderr)")
        return result.stdout
    }

    /// Validates each output against `schema`; `lines` treats each line as one document (JSONL).
    static func validate(_ outputs: [String], against schema: String, lines: Bool = false) throws {
        #expect(validatorPresent, "no validator: run Tools/json-schema/setup")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cardiag-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var files: [String] = []
        for (index, output) in outputs.enumerated() {
            let file = folder.appendingPathComponent("output-\(index).json")
            try Data(output.utf8).write(to: file)
            files.append(file.path)
        }
        let arguments = [validator.path] + (lines ? ["--lines"] : []) + [schemas.appendingPathComponent(schema).path]
        let result = try run(python, arguments + files)
        #expect(result.status == 0, "\(schema): \(result.stderr)")
    }

    static let decodeFixtures: [String] = {
        let folder = packageRoot.appendingPathComponent("Fixtures/decode")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".log") }.sorted().map { "Fixtures/decode/\($0)" }
            + ["Fixtures/demo/toyota-dcm-b15c4.log"]
    }()

    @Test(.enabled(if: validatorPresent || underCI, "run Tools/json-schema/setup (make test does)"))
    func decodeDocumentsMatchTheSchema() throws {
        #expect(Self.decodeFixtures.count > 5)
        var outputs: [String] = []
        for fixture in Self.decodeFixtures {
            outputs.append(try Self.cardiag(["decode", fixture, "--format", "json"]))
        }
        // Without advice the document has no "triage" member.
        outputs.append(
            try Self.cardiag(["decode", "Fixtures/demo/toyota-dcm-b15c4.log", "--format", "json", "--no-advice"]))
        try Self.validate(outputs, against: "cardiag-decode.schema.json")
    }

    @Test(.enabled(if: validatorPresent || underCI, "run Tools/json-schema/setup (make test does)"))
    func everyJSONLLineMatchesTheSchema() throws {
        let outputs = try Self.decodeFixtures.map { try Self.cardiag(["decode", $0, "--format", "jsonl"]) }
        #expect(outputs.contains { $0.contains("\"kind\":\"summary\"") })
        try Self.validate(outputs, against: "cardiag-decode-lines.schema.json", lines: true)
    }

    @Test(.enabled(if: validatorPresent || underCI, "run Tools/json-schema/setup (make test does)"))
    func explainAndTriageDocumentsMatchTheSchema() throws {
        var outputs: [String] = []
        // Exact code, code with failure type, range with inherited advice, family, generic, and symptoms.
        for code in ["B15C4", "B15A804", "U0101", "B15F0", "P0420", "U1103"] {
            outputs.append(try Self.cardiag(["explain", code, "--format", "json"]))
        }
        outputs.append(try Self.cardiag(["explain", "B15C4-64", "U0198", "--format", "json"]))
        for symptom in ["remote-connect", "app-pairing"] {
            outputs.append(try Self.cardiag(["explain", "--symptom", symptom, "--format", "json"]))
        }
        // The triage documents the golden tests pin.
        let golden = Self.packageRoot.appendingPathComponent("Tests/cardiagTests/Golden/explain")
        for name in ["triage-clean.json", "triage-u0198-b15c4-b15db.json"] {
            outputs.append(try String(contentsOf: golden.appendingPathComponent(name), encoding: .utf8))
        }
        try Self.validate(outputs, against: "cardiag-explain.schema.json")
    }

    @Test(.enabled(if: validatorPresent || underCI, "run Tools/json-schema/setup (make test does)"))
    func scanDocumentsMatchTheSchema() throws {
        var outputs: [String] = []
        // A failing DCM with codes everywhere, a DCM that never answers, and a KWP-era car.
        for scenario in ["toyota-remote-connect-failing", "toyota-dcm-silent", "toyota-kwp-era"] {
            outputs.append(
                try Self.cardiag([
                    "demo", "--scenario", "Fixtures/scenarios/\(scenario).json", "--format", "json", "--p2", "50",
                ]))
        }
        try Self.validate(outputs, against: "cardiag-scan.schema.json")
    }

    @Test(.enabled(if: validatorPresent || underCI, "run Tools/json-schema/setup (make test does)"))
    func adaptersDocumentMatchesTheSchema() throws {
        // Whatever this machine has (often no CAN interface at all: `"interfaces": []`).
        try Self.validate(
            [try Self.cardiag(["adapters", "--format", "json"])], against: "cardiag-adapters.schema.json")
    }

    @Test(.enabled(if: validatorPresent || underCI, "run Tools/json-schema/setup (make test does)"))
    func knowledgeBaseFilesMatchTheirSchema() throws {
        let folder = Self.packageRoot.appendingPathComponent("Sources/Interpretation/KnowledgeBase")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }.sorted()
        #expect(files.count >= 4)
        let schema = folder.appendingPathComponent("knowledge-base.schema.json").path
        let result = try Self.run(
            Self.python, [Self.validator.path, schema] + files.map { folder.appendingPathComponent($0).path })
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test(.enabled(if: validatorPresent || underCI, "run Tools/json-schema/setup (make test does)"))
    func validatorRejectsAMalformedDocument() throws {
        #expect(Self.validatorPresent, "no validator: run Tools/json-schema/setup")
        // A summary line with a negative frame count and every other count missing.
        let line = #"{"kind":"summary","schemaVersion":1,"summary":{"frames":-1}}"#
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cardiag-bad-\(UUID().uuidString).jsonl")
        try Data(line.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let schema = Self.schemas.appendingPathComponent("cardiag-decode-lines.schema.json").path
        let result = try Self.run(Self.python, [Self.validator.path, "--lines", schema, file.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("summary"))
    }

    // MARK: - Consistency without the validator

    static func schema(_ url: URL) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// The value at a path of object keys.
    static func value(_ object: [String: Any], _ keys: [String]) -> Any? {
        keys.reduce(object as Any?) { ($0 as? [String: Any])?[$1] }
    }

    static func enumeration(_ object: [String: Any], _ keys: [String]) -> Set<String> {
        Set((value(object, keys + ["enum"]) as? [Any])?.compactMap { $0 as? String } ?? [])
    }

    /// The output schema's closed sets are the Swift enums' cases, and the same as the knowledge-base schema's.
    @Test func enumerationsMatchTheCodeAndTheKnowledgeBaseSchema() throws {
        let explain = try Self.schema(Self.schemas.appendingPathComponent("cardiag-explain.schema.json"))
        let decode = try Self.schema(Self.schemas.appendingPathComponent("cardiag-decode.schema.json"))
        let knowledgeBase = try Self.schema(
            Self.packageRoot.appendingPathComponent("Sources/Interpretation/KnowledgeBase/knowledge-base.schema.json"))
        let entry = try #require(Self.value(knowledgeBase, ["$defs", "entry", "properties"]) as? [String: Any])

        let categories = Set(FindingCategory.allCases.map(\.rawValue))
        #expect(Self.enumeration(explain, ["$defs", "category"]) == categories)
        #expect(Self.enumeration(entry, ["category"]) == categories)

        let severities = Set(RemoteConnectSeverity.allCases.map(\.rawValue))
        #expect(
            Self.enumeration(explain, ["$defs", "interpretation", "properties", "remoteConnectSeverity"]) == severities)
        #expect(Self.enumeration(entry, ["remoteConnectSeverity"]) == severities)

        let actors = Set(Actor.allCases.map(\.rawValue))
        #expect(Self.enumeration(explain, ["$defs", "fixStep", "properties", "who", "items"]) == actors)
        let knowledgeBaseStep = try #require(
            Self.value(knowledgeBase, ["$defs", "fixStep", "properties"]) as? [String: Any])
        #expect(Self.enumeration(knowledgeBaseStep, ["who", "items"]) == actors)

        #expect(
            Self.enumeration(explain, ["$defs", "interpretation", "properties", "match"])
                == Set(Interpretation.Match.allCases.map(\.rawValue)))
        #expect(Self.enumeration(explain, ["$defs", "findingState"]) == Set(FindingState.allCases.map(\.rawValue)))
        #expect(
            Self.enumeration(decode, ["$defs", "dcmStatus", "properties", "verdict"])
                == Set(DCMStatus.allCases.map(\.rawValue)))
    }
}
