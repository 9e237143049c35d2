public import DTC
import FoundationEssentials

/// The interpretation knowledge base: entries for codes, code families, ranges and symptoms, each statement
/// with a source. Built in (embedded in the binary) and optionally overlaid with users' files.
///
/// Overlay rule: an overlay entry with the same `id` as an existing entry replaces it; any other overlay entry
/// is added. When entries of different layers match a code equally specifically, the later layer wins, so an
/// overlay entry `B15C4-local` with pattern `B15C4` answers for B15C4 instead of the built-in `B15C4`. A
/// symptom entry in an overlay likewise wins over a built-in entry for the same symptom. Overlay files may
/// declare their own sources and cite built-in ones.
public struct KnowledgeBase: Sendable {
    struct CompiledEntry: Sendable {
        var entry: KnowledgeEntry
        var patterns: [DTCPattern]
        /// 0 for the built-in files, 1 for the first overlay, and so on.
        var layer: Int
        var file: String
        var index: Int
    }

    private(set) var compiled: [CompiledEntry] = []
    private(set) var sourcesByID: [String: Source] = [:]
    private var sourceFiles: [String: String] = [:]
    private var layerCount = 0

    /// An empty knowledge base (every code gets the generic answer).
    public init() {}

    /// The knowledge base compiled into the binary.
    public static func builtIn() throws(KnowledgeBaseError) -> KnowledgeBase {
        try KnowledgeBase().addingLayer(BuiltInKnowledgeBase.files.map { ($0.name, Array($0.json.utf8)) })
    }

    /// A knowledge base built from JSON files (name and contents), as one layer.
    public init(files: [(name: String, contents: [UInt8])]) throws(KnowledgeBaseError) {
        self = try KnowledgeBase().addingLayer(files)
    }

    /// This knowledge base with the user's file laid over it (see the overlay rule above).
    public func overlaying(fileNamed name: String, contents: [UInt8]) throws(KnowledgeBaseError) -> KnowledgeBase {
        try addingLayer([(name, contents)])
    }

    /// Every entry, in file order.
    public var entries: [KnowledgeEntry] { compiled.map(\.entry) }

    /// The symptom names that ``explain(symptom:)`` answers.
    public var symptoms: [String] {
        var seen = Set<String>()
        return compiled.compactMap(\.entry.symptom).filter { seen.insert($0).inserted }
    }

    /// The source with this id.
    public func source(_ id: String) -> Source? { sourcesByID[id] }

    // MARK: - Lookup

    /// The most specific answer for a code: an entry for the code with its failure type, then the exact
    /// code, then a family (`B15xx`), then a range (`U0100-U0164`), then a generic answer from the code's
    /// structure. Causes and fix path missing from the chosen entry come from the next broader match.
    public func lookup(_ dtc: DiagnosticTroubleCode) -> Interpretation {
        var candidates: [(entry: CompiledEntry, pattern: DTCPattern)] = []
        for item in compiled {
            let best = item.patterns.filter { $0.matches(dtc) }.max { $0.specificity < $1.specificity }
            if let best { candidates.append((item, best)) }
        }
        candidates.sort { lhs, rhs in
            if lhs.pattern.specificity != rhs.pattern.specificity {
                return lhs.pattern.specificity > rhs.pattern.specificity
            }
            return lhs.entry.layer > rhs.entry.layer
        }
        guard let primary = candidates.first else { return genericInterpretation(dtc) }
        let causesEntry = candidates.first { $0.entry.entry.causes != nil }?.entry.entry
        let fixEntry = candidates.first { $0.entry.entry.fixPath != nil }?.entry.entry
        var interpretation = makeInterpretation(
            primary.entry.entry, subject: .code(dtc), match: Self.matchKind(primary.pattern),
            causes: causesEntry?.causes ?? [], fixPath: fixEntry?.fixPath ?? [])
        // Show wildcards as users write them (`B15xx`); DTCPattern keeps its text upper-cased.
        interpretation.matchedPattern = String(primary.pattern.description.map { $0 == "X" ? "x" : $0 })
        let donor = fixEntry ?? causesEntry
        if let donor, donor.id != primary.entry.entry.id { interpretation.inheritedFrom = donor.id }
        return interpretation
    }

    /// The answer for a symptom entered without a code (`remote-connect`, `app-pairing`), or nil when the
    /// knowledge base has no entry for it.
    public func explain(symptom: String) -> Interpretation? {
        let key = symptom.lowercased()
        guard let item = compiled.filter({ $0.entry.symptom?.lowercased() == key }).max(by: { $0.layer < $1.layer })
        else { return nil }
        return makeInterpretation(
            item.entry, subject: .symptom(item.entry.symptom ?? symptom), match: .symptom,
            causes: item.entry.causes ?? [], fixPath: item.entry.fixPath ?? [])
    }

    static func matchKind(_ pattern: DTCPattern) -> Interpretation.Match {
        let text = pattern.description
        if text.count == 11 && text.contains("-") { return .range }
        if text.contains("X") { return .family }
        return text.count == 7 ? .codeWithFailureType : .code
    }

    private func makeInterpretation(
        _ entry: KnowledgeEntry, subject: Interpretation.Subject, match: Interpretation.Match,
        causes: [SourcedText], fixPath: [FixStep]
    ) -> Interpretation {
        var interpretation = Interpretation(
            subject: subject, match: match, matchedPattern: nil, entryID: entry.id, title: entry.title,
            system: entry.system, storedBy: entry.storedBy, category: entry.category,
            remoteConnectSeverity: entry.remoteConnectSeverity, meanings: entry.meanings, notes: entry.notes,
            causes: causes, fixPath: fixPath, inheritedFrom: nil, related: entry.related,
            lostCommunicationWith: entry.lostCommunicationWith, sources: [])
        interpretation.sources = resolvedSources(of: interpretation)
        return interpretation
    }

    /// The answer for a code with no entry: what its characters say, and nothing invented.
    private func genericInterpretation(_ dtc: DiagnosticTroubleCode) -> Interpretation {
        let code = dtc.code
        let letter = code.system.letter
        var meaning = "\(code) is a \(code.system.name) (\(letter)) code. "
        if code.isManufacturerSpecific {
            meaning += "Its first two characters (\(letter)\(code.firstDigit)) put it in a manufacturer-defined "
                + "range: only the vehicle maker's service information defines it."
        } else {
            meaning += "Its first two characters (\(letter)\(code.firstDigit)) put it in an SAE-defined range, "
                + "so its title is the same across makers."
        }
        var meanings = [SourcedText(text: meaning, source: Self.codeStructureSourceID)]
        if let failureType = dtc.failureType {
            let name = failureType.name.map { "\"\($0)\"" } ?? "no standard name (reserved or manufacturer-defined)"
            meanings.append(
                SourcedText(
                    text: "The failure type \(failureType.hexText) says how it failed: \(name).",
                    source: Self.failureTypeSourceID))
        }
        let notes = [
            SourcedText(
                text: "CarDiag's knowledge base has no entry for this code, so it gives no meaning or fix path "
                    + "beyond the above; use the vehicle maker's repair manual for this system.",
                source: Self.codeStructureSourceID)
        ]
        var interpretation = Interpretation(
            subject: .code(dtc), match: .generic, matchedPattern: nil, entryID: nil,
            title: "No entry in CarDiag's knowledge base", system: nil, storedBy: nil,
            category: code.system == .network ? .communication : .other, remoteConnectSeverity: nil,
            meanings: meanings, notes: notes, causes: [], fixPath: [], inheritedFrom: nil, related: [],
            lostCommunicationWith: nil, sources: [])
        interpretation.sources = resolvedSources(of: interpretation)
        return interpretation
    }

    /// The source that backs statements about the structure of a code (letter, first digit).
    static let codeStructureSourceID = "sae-j2012"
    /// The source that backs failure-type names.
    static let failureTypeSourceID = "sae-j2012-da"

    private func resolvedSources(of interpretation: Interpretation) -> [Source] {
        var ids: [String] = []
        func add(_ id: String) { if !ids.contains(id) { ids.append(id) } }
        interpretation.meanings.forEach { add($0.source) }
        interpretation.notes.forEach { add($0.source) }
        interpretation.causes.forEach { add($0.source) }
        interpretation.fixPath.forEach { add($0.source) }
        return ids.map { sourcesByID[$0] ?? Source(id: $0, title: $0) }
    }

    // MARK: - Loading

    private func addingLayer(_ files: [(String, [UInt8])]) throws(KnowledgeBaseError) -> KnowledgeBase {
        var result = self
        let layer = layerCount
        result.layerCount += 1
        var layerIDs: [String: String] = [:]  // entry id → file
        var layerSources: [String: String] = [:]
        var added: [CompiledEntry] = []
        for (name, contents) in files {
            let file = try Self.decode(name: name, contents: contents)
            for (index, source) in file.sources.enumerated() {
                if let other = layerSources[source.id] {
                    throw KnowledgeBaseError(
                        code: .duplicateID, file: name, field: "sources[\(index)].id",
                        reason: "source \"\(source.id)\" is already declared in \(other)")
                }
                layerSources[source.id] = name
                result.sourcesByID[source.id] = source
                result.sourceFiles[source.id] = name
            }
            for (index, entry) in file.entries.enumerated() {
                if let other = layerIDs[entry.id] {
                    throw KnowledgeBaseError(
                        code: .duplicateID, file: name, entryIndex: index, entryID: entry.id, field: "id",
                        reason: "already used by an entry in \(other)")
                }
                layerIDs[entry.id] = name
                let patterns = try Self.validate(entry, file: name, index: index)
                added.append(CompiledEntry(entry: entry, patterns: patterns, layer: layer, file: name, index: index))
            }
        }
        let replaced = Set(added.map(\.entry.id))
        result.compiled.removeAll { replaced.contains($0.entry.id) }
        result.compiled.append(contentsOf: added)
        for item in added { try result.checkSources(of: item) }
        return result
    }

    private static func decode(name: String, contents: [UInt8]) throws(KnowledgeBaseError) -> KnowledgeBaseFile {
        let data = Data(contents)
        do {
            return try JSONDecoder().decode(KnowledgeBaseFile.self, from: data)
        } catch let error as DecodingError {
            throw KnowledgeBaseError(decoding: error, file: name, entryIDs: entryIDs(in: data))
        } catch {
            throw KnowledgeBaseError(code: .malformedJSON, file: name, reason: "\(error)")
        }
    }

    /// The ids of the entries, read leniently, to name an entry whose full decoding failed.
    private static func entryIDs(in data: Data) -> [String?] {
        struct Probe: Decodable {
            struct Entry: Decodable { var id: String? }
            var entries: [Entry]?
        }
        return ((try? JSONDecoder().decode(Probe.self, from: data))?.entries ?? []).map(\.id)
    }

    /// Checks the rules the decoder cannot, and parses the patterns.
    private static func validate(_ entry: KnowledgeEntry, file: String, index: Int) throws(KnowledgeBaseError)
        -> [DTCPattern]
    {
        func failure(_ code: KnowledgeBaseError.Code, _ field: String, _ reason: String) -> KnowledgeBaseError {
            KnowledgeBaseError(code: code, file: file, entryIndex: index, entryID: entry.id, field: field, reason: reason)
        }
        if entry.id.isEmpty { throw failure(.invalidEntry, "id", "empty") }
        if entry.patterns.isEmpty == (entry.symptom == nil) {
            throw failure(.invalidEntry, "patterns", "an entry needs either patterns or a symptom, not both")
        }
        if entry.title.isEmpty { throw failure(.invalidEntry, "title", "empty") }
        if entry.meanings.isEmpty { throw failure(.invalidEntry, "meanings", "at least one meaning is required") }
        var patterns: [DTCPattern] = []
        for (position, text) in entry.patterns.enumerated() {
            guard let pattern = DTCPattern(text) else {
                throw failure(.invalidPattern, "patterns[\(position)]", "\"\(text)\" is not a DTC pattern")
            }
            patterns.append(pattern)
        }
        for (position, text) in entry.related.enumerated() where DTCPattern(text) == nil {
            throw failure(.invalidPattern, "related[\(position)]", "\"\(text)\" is not a DTC pattern")
        }
        for (position, step) in (entry.fixPath ?? []).enumerated() {
            if step.who.isEmpty { throw failure(.invalidEntry, "fixPath[\(position)].who", "names nobody") }
            for (field, value) in [("action", step.action), ("verify", step.verify), ("ifNot", step.ifNot)]
            where value.isEmpty {
                throw failure(.invalidEntry, "fixPath[\(position)].\(field)", "empty")
            }
        }
        for (field, item) in entry.sourcedTexts where item.text.isEmpty {
            throw failure(.invalidEntry, field.replacingSuffix(".source", with: ".text"), "empty")
        }
        return patterns
    }

    /// Every `source` of an entry must name a declared source (in any layer so far).
    private func checkSources(of item: CompiledEntry) throws(KnowledgeBaseError) {
        for (field, source) in item.entry.sourceReferences where sourcesByID[source] == nil {
            throw KnowledgeBaseError(
                code: source.isEmpty ? .missingField : .unknownSource, file: item.file, entryIndex: item.index,
                entryID: item.entry.id, field: field,
                reason: source.isEmpty ? "missing" : "no source with id \"\(source)\" is declared")
        }
    }
}

extension KnowledgeEntry {
    /// Every sourced statement with its field path (`meanings[0].source`).
    var sourcedTexts: [(field: String, item: SourcedText)] {
        var result: [(String, SourcedText)] = []
        for (name, list) in [("meanings", meanings), ("notes", notes), ("causes", causes ?? [])] {
            for (index, item) in list.enumerated() { result.append(("\(name)[\(index)].source", item)) }
        }
        return result
    }

    /// Every `source` reference with its field path.
    var sourceReferences: [(field: String, source: String)] {
        sourcedTexts.map { ($0.field, $0.item.source) }
            + (fixPath ?? []).enumerated().map { ("fixPath[\($0.offset)].source", $0.element.source) }
    }
}

extension String {
    fileprivate func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
    }
}

extension FailureType {
    /// Two upper-case hex digits.
    var hexText: String {
        let hex = String(rawValue, radix: 16, uppercase: true)
        return hex.count == 1 ? "0" + hex : hex
    }
}
