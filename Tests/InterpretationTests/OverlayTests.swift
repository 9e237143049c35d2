import DTC
import Testing

@testable import Interpretation

/// One fix step as JSON; `source` is the source member (or anything in its place).
func stepJSON(_ source: String? = #""source": "guide1-dcm-reset""#) -> String {
    #"{"action": "Do it.", "who": ["owner"], "verify": "Works.", "ifNot": "Ask."\#(source.map { ", " + $0 } ?? "")}"#
}

/// A minimal valid entry; `title` and `category` can be swapped for broken values, `extra` is appended.
func entryJSON(
    id: String, patterns: String = #"["B15C4"]"#, title: String = #""title": "Local""#,
    category: String = "dcmConnection", steps: [String] = [stepJSON()], extra: String = ""
) -> String {
    #"""
    {"id": "\#(id)", "patterns": \#(patterns), \#(title), "system": "Telematics",
     "category": "\#(category)", "remoteConnectSeverity": "blocking",
     "meanings": [{"text": "Our own reading.", "source": "guide1-dcm-reset"}],
     "fixPath": [\#(steps.joined(separator: ", "))]\#(extra)}
    """#
}

func overlayFile(_ entries: [String], sources: String? = nil) -> String {
    let sourcesPart = sources.map { #", "sources": [\#($0)]"# } ?? ""
    return #"{"schemaVersion": 1\#(sourcesPart), "entries": [\#(entries.joined(separator: ",\n"))]}"#
}

@Suite struct OverlayTests {
    let base: KnowledgeBase
    init() throws { base = try KnowledgeBase.builtIn() }

    @Test func entryWithABuiltInIDReplacesIt() throws {
        let overlaid = try base.overlaying(fileNamed: "my.json", contents: bytes(overlayFile([entryJSON(id: "B15C4")])))
        #expect(overlaid.lookup(try dtc("B15C4")).title == "Local")
        #expect(overlaid.entries.filter { $0.id == "B15C4" }.count == 1)
        #expect(overlaid.entries.count == base.entries.count)
    }

    @Test func newEntryWithTheSamePatternWinsTheTie() throws {
        let overlaid = try base.overlaying(fileNamed: "my.json", contents: bytes(overlayFile([entryJSON(id: "B15C4-local")])))
        #expect(overlaid.lookup(try dtc("B15C4")).entryID == "B15C4-local")
        #expect(overlaid.entries.count == base.entries.count + 1)
        // A more specific built-in entry still beats a broader overlay entry.
        let family = try base.overlaying(
            fileNamed: "my.json", contents: bytes(overlayFile([entryJSON(id: "mine", patterns: #"["B15xx"]"#)])))
        #expect(family.lookup(try dtc("B15C4")).entryID == "B15C4")
        #expect(family.lookup(try dtc("B15F0")).entryID == "mine")
    }

    @Test func overlayMayDeclareItsOwnSources() throws {
        let file = overlayFile(
            [entryJSON(id: "X", steps: [stepJSON(#""source": "shop-notes""#)])],
            sources: #"{"id": "shop-notes", "title": "Our shop's notes"}"#)
        let overlaid = try base.overlaying(fileNamed: "my.json", contents: bytes(file))
        #expect(overlaid.lookup(try dtc("B15C4")).sources.map(\.id).contains("shop-notes"))
    }

    static let fillers = [
        entryJSON(id: "a", patterns: #"["B15D0"]"#), entryJSON(id: "b", patterns: #"["B15D1"]"#),
        entryJSON(id: "c", patterns: #"["B15D2"]"#),
    ]

    @Test(arguments: [
        (
            overlayFile(fillers + [entryJSON(id: "B15C4-local", steps: [stepJSON(), stepJSON(), stepJSON(nil)])]),
            KnowledgeBaseError.Code.missingField, #"my-kb.json: entry 3 ("B15C4-local"): fixPath[2].source: missing"#
        ),
        (
            overlayFile([entryJSON(id: "a", steps: [stepJSON(#""source": "guide1-dcm-reset", "veryfy": "x""#)])]),
            .unknownField, #"my-kb.json: entry 0 ("a"): fixPath[0].veryfy: unknown field"#
        ),
        (
            overlayFile([entryJSON(id: "a", patterns: #"["B15Q4"]"#)]), .invalidPattern,
            #"my-kb.json: entry 0 ("a"): patterns[0]: "B15Q4" is not a DTC pattern"#
        ),
        (
            overlayFile([entryJSON(id: "a", steps: [stepJSON(), stepJSON(#""source": "nowhere""#)])]), .unknownSource,
            #"my-kb.json: entry 0 ("a"): fixPath[1].source: no source with id "nowhere" is declared"#
        ),
        (
            overlayFile([entryJSON(id: "a"), entryJSON(id: "a")]), .duplicateID,
            #"my-kb.json: entry 1 ("a"): id: already used by an entry in my-kb.json"#
        ),
        (
            overlayFile([entryJSON(id: "a", extra: #", "related": ["Q0000"]"#)]), .invalidPattern,
            #"my-kb.json: entry 0 ("a"): related[0]: "Q0000" is not a DTC pattern"#
        ),
        (
            overlayFile([entryJSON(id: "a", category: "radio")]), .invalidValue,
            #"my-kb.json: entry 0 ("a"): category: unknown value "radio""#
        ),
        (
            overlayFile([entryJSON(id: "a", title: #""name": "x""#)]), .unknownField,
            #"my-kb.json: entry 0 ("a"): name: unknown field"#
        ),
        (
            overlayFile([entryJSON(id: "a", title: #""title": 7"#)]), .invalidValue,
            #"my-kb.json: entry 0 ("a"): title: expected a string"#
        ),
        (
            overlayFile([entryJSON(id: "a", extra: #", "symptom": "x""#)]), .invalidEntry,
            #"my-kb.json: entry 0 ("a"): patterns: an entry needs either patterns or a symptom, not both"#
        ),
        (
            #"{"schemaVersion": 2}"#, .invalidValue,
            "my-kb.json: schemaVersion: unsupported version 2 (this build reads 1)"
        ),
        (#"{"schemaVersion": 1, "entries": [}"#, .malformedJSON, nil),
    ] as [(String, KnowledgeBaseError.Code, String?)])
    func badFilesNameFileEntryAndField(contents: String, code: KnowledgeBaseError.Code, message: String?) throws {
        let error = try #require(throws: KnowledgeBaseError.self) {
            try base.overlaying(fileNamed: "my-kb.json", contents: Array(contents.utf8))
        }
        #expect(error.code == code)
        if let message {
            #expect(error.description == message)
        } else {
            #expect(error.description.hasPrefix("my-kb.json: "))
        }
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
