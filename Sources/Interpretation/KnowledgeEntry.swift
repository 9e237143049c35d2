/// Where a finding belongs in a repair plan. The cases are listed in the order ``Triage`` works through
/// them: the network first (a silent ECU hides everything behind it), then the DCM itself, then what the
/// DCM needs to reach the servers, then the head unit, then the account side.
public enum FindingCategory: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// CAN communication: U-codes, ECUs that do not answer, bus faults.
    case communication
    /// A fault inside the DCM (telematics transceiver) itself.
    case dcmInternal
    /// The DCM's link to the servers: cellular signal, antenna, firmware, provisioning.
    case dcmConnection
    /// Parts wired to the DCM: GPS antenna, SOS switch and lamps, microphone.
    case dcmPeripheral
    /// The head unit (radio and display receiver / multimedia) and its link to the DCM.
    case headUnit
    /// Codes that do not bear on Remote Connect.
    case other
    /// The owner's account, subscription, app and the servers.
    case account

    /// The position in a triage plan (lower first).
    public var rank: Int { Self.allCases.firstIndex(of: self)! }

    /// A short heading for the category.
    public var heading: String {
        switch self {
        case .communication: return "Network communication"
        case .dcmInternal: return "DCM internal fault"
        case .dcmConnection: return "DCM connection and firmware"
        case .dcmPeripheral: return "DCM peripherals"
        case .headUnit: return "Head unit"
        case .other: return "Other systems"
        case .account: return "Account and servers"
        }
    }

    public static func < (lhs: FindingCategory, rhs: FindingCategory) -> Bool { lhs.rank < rhs.rank }
}

/// How much a finding matters for Remote Connect (remote lock, start and status from the app).
public enum RemoteConnectSeverity: String, Hashable, Sendable, Codable, CaseIterable {
    /// Remote Connect cannot work until this is fixed.
    case blocking
    /// Some telematics functions are impaired; Remote Connect may still work.
    case degraded
    /// May bear on Remote Connect, depending on what it turns out to be.
    case possible
    /// Unrelated to Remote Connect.
    case none
}

/// One entry of the knowledge base: a code (or a family or range of codes) or a symptom, with its meanings,
/// likely causes and an ordered fix path, every statement carrying a source.
///
/// An entry without `causes` or `fixPath` inherits them from the next less specific entry that matches the
/// same code (a single U01xx code takes the fix path of the `U0100-U0164` range entry, for example).
public struct KnowledgeEntry: Hashable, Sendable, Codable {
    /// A unique identifier (`B15C4`, `U0100-U0164`, `symptom-remote-connect`).
    public var id: String
    /// The code patterns the entry covers, as `DTCPattern` text. Empty for a symptom entry.
    public var patterns: [String]
    /// The symptom name for an entry entered without a code (`remote-connect`), or nil for a code entry.
    public var symptom: String?
    /// The title (the manufacturer's DTC name where there is one).
    public var title: String
    /// The vehicle system (`Telematics (DCM)`).
    public var system: String
    /// The ECU that stores the code, or nil when it varies.
    public var storedBy: String?
    /// Where the finding belongs in a repair plan.
    public var category: FindingCategory
    /// What it means for Remote Connect.
    public var remoteConnectSeverity: RemoteConnectSeverity
    /// What the code means, one item per source; several items may disagree.
    public var meanings: [SourcedText]
    /// Remarks about the meanings (for example that two sources disagree).
    public var notes: [SourcedText]
    /// Likely causes, most likely first; nil to inherit.
    public var causes: [SourcedText]?
    /// The ordered fix path; nil to inherit.
    public var fixPath: [FixStep]?
    /// Related code patterns.
    public var related: [String]
    /// For a lost-communication code: the ECU the code names as silent.
    public var lostCommunicationWith: String?

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        patterns = try container.decodeIfPresent([String].self, forKey: .patterns) ?? []
        symptom = try container.decodeIfPresent(String.self, forKey: .symptom)
        title = try container.decode(String.self, forKey: .title)
        system = try container.decode(String.self, forKey: .system)
        storedBy = try container.decodeIfPresent(String.self, forKey: .storedBy)
        category = try container.decode(FindingCategory.self, forKey: .category)
        remoteConnectSeverity = try container.decode(RemoteConnectSeverity.self, forKey: .remoteConnectSeverity)
        meanings = try container.decode([SourcedText].self, forKey: .meanings)
        notes = try container.decodeIfPresent([SourcedText].self, forKey: .notes) ?? []
        causes = try container.decodeIfPresent([SourcedText].self, forKey: .causes)
        fixPath = try container.decodeIfPresent([FixStep].self, forKey: .fixPath)
        related = try container.decodeIfPresent([String].self, forKey: .related) ?? []
        lostCommunicationWith = try container.decodeIfPresent(String.self, forKey: .lostCommunicationWith)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, patterns, symptom, title, system, storedBy, category, remoteConnectSeverity, meanings, notes
        case causes, fixPath, related, lostCommunicationWith
    }
}

/// One knowledge-base file: its schema version, the sources it declares and its entries.
struct KnowledgeBaseFile: Decodable {
    /// The only file schema version this build reads.
    static let supportedSchemaVersion = 1

    var schemaVersion: Int
    var sources: [Source]
    var entries: [KnowledgeEntry]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
        guard schemaVersion == Self.supportedSchemaVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .schemaVersion, in: container,
                debugDescription: "unsupported version \(schemaVersion) (this build reads \(Self.supportedSchemaVersion))")
        }
        sources = try container.decodeIfPresent([Source].self, forKey: .sources) ?? []
        entries = try container.decodeIfPresent([KnowledgeEntry].self, forKey: .entries) ?? []
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case schemaVersion
        case schema = "$schema"
        case description, sources, entries
    }
}
