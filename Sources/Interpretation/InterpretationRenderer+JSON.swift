import FoundationEssentials

extension InterpretationRenderer {
    /// Interpretations as the versioned JSON document `{"schemaVersion": 1, "kind": "explain", ...}`
    /// (documented in the module's DocC catalog).
    public func json(_ interpretations: [Interpretation]) -> String {
        let numbering = SourceNumbering(interpretations)
        return Self.encode(
            ExplainDocument(
                schemaVersion: Self.jsonSchemaVersion, kind: "explain",
                interpretations: interpretations.map(InterpretationJSON.init),
                sources: numbering.sources.map { SourceJSON($0, number: numbering.number($0.id)) }))
    }

    /// A triage plan as the versioned JSON document `{"schemaVersion": 1, "kind": "triage", ...}`.
    public func json(_ plan: TriagePlan) -> String {
        Self.encode(jsonDocument(plan))
    }

    /// The triage JSON document as a value, for embedding in a larger document (`decode` and `scan` output).
    public func jsonDocument(_ plan: TriagePlan) -> some Encodable {
        let numbering = SourceNumbering(plan.items.map(\.interpretation))
        return TriageDocument(
            schemaVersion: Self.jsonSchemaVersion, kind: "triage", clean: plan.isClean,
            plan: plan.items.enumerated().map { TriageItemJSON($0.element, rank: $0.offset + 1) },
            sources: numbering.sources.map { SourceJSON($0, number: numbering.number($0.id)) })
    }

    private static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings, numbers and arrays cannot fail.
        guard let data = try? encoder.encode(value) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

private struct ExplainDocument: Encodable {
    var schemaVersion: Int
    var kind: String
    var interpretations: [InterpretationJSON]
    var sources: [SourceJSON]
}

private struct TriageDocument: Encodable {
    var schemaVersion: Int
    var kind: String
    var clean: Bool
    var plan: [TriageItemJSON]
    var sources: [SourceJSON]
}

private struct SourceJSON: Encodable {
    var number: Int
    var id: String
    var citation: String
    var title: String
    var file: String?
    var section: String?
    var url: String?

    init(_ source: Source, number: Int) {
        self.number = number
        id = source.id
        citation = source.citation
        title = source.title
        file = source.file
        section = source.section
        url = source.url
    }
}

private struct CodeJSON: Encodable {
    var text: String
    var code: String
    var failureType: String?
    var failureTypeName: String?
    var system: String
    var manufacturerSpecific: Bool
}

private struct InterpretationJSON: Encodable {
    var subject: String
    var code: CodeJSON?
    var symptom: String?
    var match: String
    var matchedPattern: String?
    var entryId: String?
    var title: String
    var system: String?
    var storedBy: String?
    var category: String
    var remoteConnectSeverity: String?
    var meanings: [SourcedText]
    var notes: [SourcedText]
    var causes: [SourcedText]
    var fixPath: [FixStep]
    var inheritedFrom: String?
    var related: [String]
    var lostCommunicationWith: String?

    init(_ interpretation: Interpretation) {
        subject = interpretation.subject.description
        switch interpretation.subject {
        case .code(let dtc):
            code = CodeJSON(
                text: dtc.compactText, code: dtc.code.description, failureType: dtc.failureType?.hexText,
                failureTypeName: dtc.failureType?.name, system: dtc.code.system.name,
                manufacturerSpecific: dtc.code.isManufacturerSpecific)
        case .symptom(let name):
            symptom = name
        }
        match = interpretation.match.rawValue
        matchedPattern = interpretation.matchedPattern
        entryId = interpretation.entryID
        title = interpretation.title
        system = interpretation.system
        storedBy = interpretation.storedBy
        category = interpretation.category.rawValue
        remoteConnectSeverity = interpretation.remoteConnectSeverity?.rawValue
        meanings = interpretation.meanings
        notes = interpretation.notes
        causes = interpretation.causes
        fixPath = interpretation.fixPath
        inheritedFrom = interpretation.inheritedFrom
        related = interpretation.related
        lostCommunicationWith = interpretation.lostCommunicationWith
    }
}

private struct ECUJSON: Encodable {
    var name: String
    var requestId: UInt32
    var responseId: UInt32
    var extendedAddress: UInt8?
    var address: String
    var role: String
}

private struct ReportJSON: Encodable {
    var ecu: ECUJSON
    var status: UInt8?
    var statusBits: [String]?
    var state: String
}

private struct TriageItemJSON: Encodable {
    var rank: Int
    var kind: String
    var category: String
    var headline: String
    var state: String
    var reports: [ReportJSON]
    var notes: [SourcedText]
    var interpretation: InterpretationJSON

    init(_ item: TriageItem, rank: Int) {
        self.rank = rank
        kind = item.kind.rawValue
        category = item.category.rawValue
        headline = item.headline
        state = item.state.rawValue
        reports = item.reports.map { report in
            ReportJSON(
                ecu: ECUJSON(
                    name: report.ecu.name, requestId: report.ecu.requestID, responseId: report.ecu.responseID,
                    extendedAddress: report.ecu.extendedAddress, address: report.ecu.address,
                    role: report.ecu.role.rawValue),
                status: report.status?.rawValue, statusBits: report.status?.names, state: report.state.rawValue)
        }
        notes = item.notes
        interpretation = InterpretationJSON(item.interpretation)
    }
}
