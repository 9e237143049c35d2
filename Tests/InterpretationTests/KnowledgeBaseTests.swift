import DTC
import Foundation
import Testing

@testable import Interpretation

/// The package root, from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let knowledgeBaseFolder = packageRoot.appendingPathComponent("Sources/Interpretation/KnowledgeBase")

func dtc(_ text: String) throws -> DiagnosticTroubleCode { try #require(DiagnosticTroubleCode(text)) }

@Suite struct BuiltInKnowledgeBaseTests {
    let base: KnowledgeBase
    init() throws { base = try KnowledgeBase.builtIn() }

    @Test func generatedFileMatchesTheJSON() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: knowledgeBaseFolder.path)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }.sorted()
        #expect(BuiltInKnowledgeBase.files.map(\.name) == names, "run Tools/generate-knowledge-base")
        for file in BuiltInKnowledgeBase.files {
            var text = try String(contentsOf: knowledgeBaseFolder.appendingPathComponent(file.name), encoding: .utf8)
            if text.hasSuffix("\n") { text.removeLast() }
            #expect(file.json == text, "\(file.name) changed; run Tools/generate-knowledge-base")
        }
    }

    @Test func everyEntryIsWellFormed() throws {
        var ids = Set<String>()
        for entry in base.entries {
            #expect(ids.insert(entry.id).inserted, "duplicate id \(entry.id)")
            for pattern in entry.patterns { #expect(DTCPattern(pattern) != nil, "\(entry.id): pattern \(pattern)") }
            for related in entry.related { #expect(DTCPattern(related) != nil, "\(entry.id): related \(related)") }
            #expect(!entry.meanings.isEmpty, "\(entry.id) has no meaning")
            for (field, source) in entry.sourceReferences {
                #expect(base.source(source) != nil, "\(entry.id): \(field) names unknown source \(source)")
            }
        }
        #expect(ids.count > 30)
    }

    /// Entries that leave out their fix path must get one from a broader entry, for each exact pattern.
    @Test func everyCodeEntryEndsWithAFixPath() throws {
        for entry in base.entries {
            for pattern in entry.patterns where !pattern.contains("x") && !pattern.contains("-") {
                let interpretation = base.lookup(try dtc(pattern))
                #expect(!interpretation.fixPath.isEmpty, "\(pattern) has no fix path")
                #expect(!interpretation.causes.isEmpty, "\(pattern) has no causes")
            }
        }
        for symptom in base.symptoms { #expect(base.explain(symptom: symptom)?.fixPath.isEmpty == false) }
    }

    /// Guide citations must name a section heading that exists in the guide, verbatim.
    @Test func guideCitationsNameRealHeadings() throws {
        let seeds = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/seeds")
        guard FileManager.default.fileExists(atPath: seeds.path) else { return }  // seeds not checked out here
        var checked = 0
        for entry in base.entries {
            for (_, id) in entry.sourceReferences {
                let source = try #require(base.source(id))
                guard let file = source.file else { continue }
                let guide = try String(contentsOf: seeds.appendingPathComponent(file), encoding: .utf8)
                let headings = Set(guide.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
                #expect(headings.contains(try #require(source.section)), "\(id): heading not in \(file)")
                checked += 1
            }
        }
        #expect(checked > 0)
    }

    /// The JSON Schema and the decoder must agree on the fields of an entry, a fix step and a source.
    @Test func schemaListsTheDecodedFields() throws {
        let data = try Data(contentsOf: knowledgeBaseFolder.appendingPathComponent("knowledge-base.schema.json"))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let definitions = try #require(schema["$defs"] as? [String: [String: Any]])
        func properties(_ name: String) throws -> Set<String> {
            Set(try #require(definitions[name]?["properties"] as? [String: Any]).keys)
        }
        #expect(try properties("entry") == Set(KnowledgeEntry.CodingKeys.allCases.map(\.stringValue)))
        #expect(try properties("fixStep") == Set(FixStep.CodingKeys.allCases.map(\.stringValue)))
        #expect(try properties("source") == Set(Source.CodingKeys.allCases.map(\.stringValue)))
    }

    @Test(arguments: [
        ("B15C4", "B15C4", Interpretation.Match.code),
        ("B15C464", "B15C4", .code),
        ("B15C4-64", "B15C4", .code),
        ("B15A804", "B15A8", .codeWithFailureType),
        ("B15A8", "B15A8", .code),
        ("B15A8-13", "B15A8", .code),
        ("B15C113", "B15C0-B15C1", .codeWithFailureType),
        ("B15DB", "B15DB", .code),
        ("B15F0", "B15xx", .family),
        ("U1103", "U1103", .code),
        ("U11F0", "U11xx", .family),
        ("U0198", "U0198", .code),
        ("U0101-87", "U0101", .code),
        ("U0150", "U0100-U0164", .range),
    ])
    func lookupPicksTheMostSpecificEntry(code: String, entryID: String, match: Interpretation.Match) throws {
        let interpretation = base.lookup(try dtc(code))
        #expect(interpretation.entryID == entryID)
        #expect(interpretation.match == match)
    }

    @Test func narrowEntriesInheritTheBroaderFixPath() throws {
        let u0101 = base.lookup(try dtc("U0101"))
        let range = base.lookup(try dtc("U0150"))
        #expect(u0101.title == "Lost Communication with TCM")
        #expect(u0101.inheritedFrom == "U0100-U0164")
        #expect(u0101.fixPath == range.fixPath)
        #expect(base.lookup(try dtc("U1103")).inheritedFrom == "U11xx")
        #expect(base.lookup(try dtc("B15C4")).inheritedFrom == nil)
    }

    @Test func b15c4ShowsBothMeaningsWithTheirSources() throws {
        let interpretation = base.lookup(try dtc("B15C4"))
        let sources = interpretation.meanings.map(\.source)
        #expect(sources.contains { $0.hasPrefix("toyota-") })
        #expect(sources.contains { $0.hasPrefix("guide1-") })
        #expect(interpretation.notes.contains { $0.text.contains("disagree") })
        let steps = interpretation.fixPath.map(\.source)
        #expect(steps.contains("guide1-dcm-reset") && steps.contains("toyota-b15c4-telematics"))
        #expect(steps.last == "guide1-replace-dcm")
    }

    @Test(arguments: ["P0335", "P033513", "C1201", "B2799", "U0401"])
    func codesWithoutAnEntryGetAGenericAnswer(code: String) throws {
        let value = try dtc(code)
        let interpretation = base.lookup(value)
        #expect(interpretation.match == .generic)
        #expect(interpretation.entryID == nil)
        #expect(interpretation.fixPath.isEmpty)
        let meaning = try #require(interpretation.meanings.first?.text)
        #expect(meaning.contains(value.code.isManufacturerSpecific ? "manufacturer-defined" : "SAE-defined"))
        #expect(interpretation.meanings.count == (value.failureType == nil ? 1 : 2))
        #expect(interpretation.sources.allSatisfy { base.source($0.id) != nil })
    }

    @Test(arguments: ["remote-connect", "app-pairing", "ecu-no-response", "can-bus-fault", "Remote-Connect"])
    func symptomsAnswer(name: String) throws {
        let interpretation = try #require(base.explain(symptom: name))
        #expect(interpretation.match == .symptom)
        #expect(!interpretation.fixPath.isEmpty)
    }

    @Test func unknownSymptomIsNil() { #expect(base.explain(symptom: "flat-tyre") == nil) }
}
