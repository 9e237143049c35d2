/// Where a statement in the knowledge base comes from: one of the seed guides (by file name and section
/// heading) or a public page such as a Toyota repair-manual mirror (by title and URL).
public struct Source: Hashable, Sendable, Codable {
    /// The identifier entries use in their `source` fields (`guide1-dcm-reset`).
    public var id: String
    /// A human-readable title of the document.
    public var title: String
    /// The file name of a guide, when the source is one of the seed guides.
    public var file: String?
    /// The section heading inside `file`.
    public var section: String?
    /// The address of a public page.
    public var url: String?

    /// Creates a source.
    public init(id: String, title: String, file: String? = nil, section: String? = nil, url: String? = nil) {
        self.id = id
        self.title = title
        self.file = file
        self.section = section
        self.url = url
    }

    /// How the source is cited in output: `guide-1-….txt § "Section"` for a guide, `Title — URL` for a page,
    /// the title alone otherwise.
    public var citation: String {
        if let file {
            guard let section else { return file }
            return "\(file) § \"\(section)\""
        }
        if let url { return "\(title) — \(url)" }
        return title
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        title = try container.decode(String.self, forKey: .title)
        file = try container.decodeIfPresent(String.self, forKey: .file)
        section = try container.decodeIfPresent(String.self, forKey: .section)
        url = try container.decodeIfPresent(String.self, forKey: .url)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, title, file, section, url
    }
}

/// A sentence of the knowledge base with the id of the source it comes from.
public struct SourcedText: Hashable, Sendable, Codable {
    /// The statement, in CarDiag's own words.
    public var text: String
    /// The id of a ``Source``.
    public var source: String

    /// Creates a statement.
    public init(text: String, source: String) {
        self.text = text
        self.source = source
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        text = try container.decode(String.self, forKey: .text)
        source = try container.decode(String.self, forKey: .source)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case text, source
    }
}

/// Who can carry out a fix step.
public enum Actor: String, Hashable, Sendable, Codable, CaseIterable {
    /// The vehicle owner, with no tools beyond the car, the phone and the owner's account.
    case owner
    /// An independent shop with a scan tool and a multimeter.
    case shop
    /// A Toyota/Lexus dealer (Techstream/GTS, activation, server-side access).
    case dealer
}

/// One step of a fix path: what to do, who can do it, how to tell it worked, and what to do if it did not.
public struct FixStep: Hashable, Sendable, Codable {
    /// What to do.
    public var action: String
    /// Who can do it.
    public var who: [Actor]
    /// How to tell it worked.
    public var verify: String
    /// What to do when it did not.
    public var ifNot: String
    /// The id of the ``Source`` the step comes from.
    public var source: String

    /// Creates a step.
    public init(action: String, who: [Actor], verify: String, ifNot: String, source: String) {
        self.action = action
        self.who = who
        self.verify = verify
        self.ifNot = ifNot
        self.source = source
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        action = try container.decode(String.self, forKey: .action)
        who = try container.decode([Actor].self, forKey: .who)
        verify = try container.decode(String.self, forKey: .verify)
        ifNot = try container.decode(String.self, forKey: .ifNot)
        source = try container.decode(String.self, forKey: .source)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case action, who, verify, ifNot, source
    }
}

/// Rejects object keys a type does not know, so a misspelt field in a user's file is an error rather than
/// silently ignored.
enum StrictKeys {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func check<Keys: CodingKey & CaseIterable>(_ decoder: any Decoder, allowed: Keys.Type) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(Keys.allCases.map(\.stringValue))
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue })
        where !known.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath + [key], debugDescription: "unknown field"))
        }
    }
}
