/// A knowledge-base file that cannot be used: which file, which entry, which field, and what is wrong.
///
/// Its description reads `my-kb.json: entry 3 ("B15C4-local"): fixPath[2].source: missing` (entry and array
/// indexes count from 0, as in the file). Equality is by ``code``, so tests can match on the kind of error.
public struct KnowledgeBaseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of error; an open set.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The file is not valid JSON.
        public static let malformedJSON = Code(rawValue: "malformedJSON")
        /// A required field is absent or null.
        public static let missingField = Code(rawValue: "missingField")
        /// A field has the wrong JSON type or an unknown value.
        public static let invalidValue = Code(rawValue: "invalidValue")
        /// A field the schema does not define.
        public static let unknownField = Code(rawValue: "unknownField")
        /// A code pattern or related code that does not parse as a DTC pattern.
        public static let invalidPattern = Code(rawValue: "invalidPattern")
        /// A `source` that names no declared source.
        public static let unknownSource = Code(rawValue: "unknownSource")
        /// Two entries (or two sources, or two symptoms) with the same id within one layer.
        public static let duplicateID = Code(rawValue: "duplicateID")
        /// An entry that breaks a rule of the schema (no meanings, both patterns and symptom, ...).
        public static let invalidEntry = Code(rawValue: "invalidEntry")
        /// The file could not be read.
        public static let unreadable = Code(rawValue: "unreadable")
    }

    /// The kind of error.
    public var code: Code
    /// The file name.
    public var file: String
    /// The index of the entry in the file's `entries`, when the error is inside one.
    public var entryIndex: Int?
    /// The entry's id, when it could be read.
    public var entryID: String?
    /// The path to the field inside the entry (or the file, outside entries), like `fixPath[2].source`.
    public var field: String?
    /// What is wrong.
    public var reason: String

    /// Creates an error.
    public init(
        code: Code, file: String, entryIndex: Int? = nil, entryID: String? = nil, field: String? = nil,
        reason: String
    ) {
        self.code = code
        self.file = file
        self.entryIndex = entryIndex
        self.entryID = entryID
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var text = file + ": "
        if let entryIndex {
            text += "entry \(entryIndex)"
            if let entryID { text += " (\"\(entryID)\")" }
            text += ": "
        }
        if let field, !field.isEmpty { text += field + ": " }
        return text + reason
    }

    public static func == (lhs: KnowledgeBaseError, rhs: KnowledgeBaseError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

extension KnowledgeBaseError {
    /// Converts a `DecodingError` into an error that names the entry and the field by their coding path.
    init(decoding error: DecodingError, file: String, entryIDs: [String?]) {
        let code: Code
        let reason: String
        var path: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let context):
            code = .missingField
            reason = "missing"
            path = context.codingPath + [key]
        case .valueNotFound(_, let context):
            code = .missingField
            reason = "missing"
            path = context.codingPath
        case .typeMismatch(let type, let context):
            code = .invalidValue
            reason = "expected \(Self.jsonTypeName(type))"
            path = context.codingPath
        case .dataCorrupted(let context):
            path = context.codingPath
            if context.debugDescription == "unknown field" {
                code = .unknownField
                reason = "unknown field"
            } else if path.isEmpty {
                code = .malformedJSON
                reason = "not valid JSON" + Self.underlyingDetail(context)
            } else {
                code = .invalidValue
                reason = Self.cleaned(context.debugDescription)
            }
        @unknown default:
            code = .invalidValue
            reason = "\(error)"
            path = []
        }
        var entryIndex: Int?
        if path.count >= 2, path[0].stringValue == "entries", let index = path[1].intValue {
            entryIndex = index
            path.removeFirst(2)
        }
        self.init(
            code: code, file: file, entryIndex: entryIndex,
            entryID: entryIndex.flatMap { $0 < entryIDs.count ? entryIDs[$0] : nil },
            field: Self.fieldPath(path), reason: reason)
    }

    /// `fixPath[2].source` from coding keys.
    static func fieldPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                if !text.isEmpty { text += "." }
                text += key.stringValue
            }
        }
        return text
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is [Any].Type: return "an array"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a value of type \(name)"
        }
    }

    /// Decoder messages for bad enum values read "Cannot initialize X from invalid String value y".
    private static func cleaned(_ message: String) -> String {
        let marker = "from invalid String value "
        guard let start = message.indices.first(where: { message[$0...].hasPrefix(marker) }) else { return message }
        let value = message[message.index(start, offsetBy: marker.count)...]
        return "unknown value \"\(value)\""
    }

    private static func underlyingDetail(_ context: DecodingError.Context) -> String {
        guard let underlying = context.underlyingError else { return "" }
        return " (\(underlying))"
    }
}
