import Foundation
import Testing

/// Every public symbol of a library module has a DocC comment (STYLE.md §10). The symbol graphs are written by
/// `Tools/extract-symbol-graphs`, which `make test` runs after building; running the compiler from inside
/// `swift test` would wait on the build folder's lock.
@Suite struct DocumentationCoverageTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let graphFolder = packageRoot.appendingPathComponent(".build/symbol-graphs")
    static let libraryModules = [
        "CANCore", "CANLog", "ISOTP", "DTC", "UDS", "KWP", "OBD", "Diagnostics", "Interpretation", "SocketCAN",
        "VirtualVehicle",
    ]
    static let graphsPresent = FileManager.default.fileExists(atPath: graphFolder.path)
    static let underCI = ProcessInfo.processInfo.environment["CI"] == "true"

    struct SymbolGraph: Decodable {
        struct Module: Decodable { let name: String }
        struct Symbol: Decodable {
            struct Kind: Decodable { let identifier: String }
            struct DocComment: Decodable {
                struct Line: Decodable { let text: String }
                let lines: [Line]
            }
            struct Location: Decodable {
                struct Position: Decodable { let line: Int }
                let uri: String
                let position: Position
            }
            let kind: Kind
            let pathComponents: [String]
            let accessLevel: String
            let docComment: DocComment?
            let location: Location?
        }
        let module: Module
        let symbols: [Symbol]
    }

    /// `file:line: kind Path.to.symbol` for each public symbol declared in our sources with no doc comment of its
    /// own and none inherited from the protocol requirement it implements (DocC shows the requirement's comment
    /// for `description`, `==`, `rawValue` and the like, and the graph carries it).
    static func undocumented(in graph: SymbolGraph) -> [String] {
        graph.symbols.compactMap { symbol in
            guard ["public", "open"].contains(symbol.accessLevel), let location = symbol.location,
                location.uri.contains("/Sources/")
            else { return nil }
            let text = symbol.docComment?.lines.map(\.text).joined().trimmingCharacters(in: .whitespaces) ?? ""
            guard text.isEmpty else { return nil }
            let file = location.uri.components(separatedBy: "/Sources/").last ?? location.uri
            // Positions in a symbol graph count from 0.
            return "\(file):\(location.position.line + 1): \(symbol.kind.identifier) "
                + symbol.pathComponents.joined(separator: ".")
        }
    }

    @Test(.enabled(if: graphsPresent || underCI, "run through `make test`, which extracts the symbol graphs"))
    func everyPublicSymbolHasADocComment() throws {
        #expect(Self.graphsPresent, "no \(Self.graphFolder.path): run Tools/extract-symbol-graphs after building")
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.graphFolder.path)
            .filter { $0.hasSuffix(".symbols.json") }
        // Every library module was extracted (a module missing from the folder would pass unchecked).
        for module in Self.libraryModules {
            #expect(files.contains("\(module).symbols.json"), "no symbol graph for \(module)")
        }
        var publicSymbols = 0
        for file in files.sorted() {
            let data = try Data(contentsOf: Self.graphFolder.appendingPathComponent(file))
            let graph = try JSONDecoder().decode(SymbolGraph.self, from: data)
            publicSymbols += graph.symbols.count
            for missing in Self.undocumented(in: graph) {
                Issue.record("\(graph.module.name): no doc comment: \(missing)")
            }
        }
        #expect(publicSymbols > 1000, "only \(publicSymbols) public symbols: were the graphs extracted from a build?")
    }

    /// The checker itself, on a graph in the format swift-symbolgraph-extract writes.
    @Test func checkerFindsAnUndocumentedSymbolAndIgnoresOthers() throws {
        let graph = """
            {"module": {"name": "Demo"}, "symbols": [
              {"kind": {"identifier": "swift.struct"}, "pathComponents": ["Documented"], "accessLevel": "public",
               "docComment": {"lines": [{"text": "A thing."}]},
               "location": {"uri": "file:///x/Sources/Demo/Documented.swift", "position": {"line": 4}}},
              {"kind": {"identifier": "swift.property"}, "pathComponents": ["Documented", "bare"],
               "accessLevel": "public",
               "location": {"uri": "file:///x/Sources/Demo/Documented.swift", "position": {"line": 9}}},
              {"kind": {"identifier": "swift.method"}, "pathComponents": ["Documented", "blank()"],
               "accessLevel": "public", "docComment": {"lines": [{"text": " "}]},
               "location": {"uri": "file:///x/Sources/Demo/Documented.swift", "position": {"line": 12}}},
              {"kind": {"identifier": "swift.property"}, "pathComponents": ["Documented", "description"],
               "accessLevel": "public", "docComment": {"lines": [{"text": "A textual representation."}]},
               "location": {"uri": "file:///x/Sources/Demo/Documented.swift", "position": {"line": 20}}},
              {"kind": {"identifier": "swift.func.op"}, "pathComponents": ["Documented", "!=(_:_:)"],
               "accessLevel": "public"}
            ]}
            """
        let decoded = try JSONDecoder().decode(SymbolGraph.self, from: Data(graph.utf8))
        #expect(
            Self.undocumented(in: decoded) == [
                "Demo/Documented.swift:10: swift.property Documented.bare",
                "Demo/Documented.swift:13: swift.method Documented.blank()",
            ])
    }
}
