/// Where in a log something happened: the file, and a line and column for text formats or a byte offset
/// for binary ones.
public struct LogLocation: Hashable, Sendable, CustomStringConvertible {
    /// The name the log was opened with (its path, or `<stdin>`).
    public var file: String
    /// The 1-based line number, for text formats.
    public var line: Int?
    /// The 1-based byte column within the line, for text formats.
    public var column: Int?
    /// The byte offset in the (decompressed) stream, for binary formats.
    public var byteOffset: Int?

    /// Creates a location.
    public init(file: String, line: Int? = nil, column: Int? = nil, byteOffset: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.byteOffset = byteOffset
    }

    /// `file:line:column`, `file:line`, `file@offset` or `file`, the way compilers print locations.
    public var description: String {
        if let line {
            if let column { return "\(file):\(line):\(column)" }
            return "\(file):\(line)"
        }
        if let byteOffset { return "\(file)@\(byteOffset)" }
        return file
    }
}

/// Why a log, or one line or record of it, could not be read: a code to match on, where, and a sentence
/// saying what was expected.
///
/// Errors compare equal by ``code`` alone, so tests and callers can match on the kind of problem.
public struct LogError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem. An open set: new codes may be added.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A text line does not follow its format (a wrong or missing character).
        public static let syntax = Code(rawValue: "syntax")
        /// A line is longer than the reader's limit.
        public static let lineTooLong = Code(rawValue: "line-too-long")
        /// A value parsed but is out of range (an id above 0x7FF in three digits, a bad FD length...).
        public static let invalidFrame = Code(rawValue: "invalid-frame")
        /// The format of the input could not be recognised.
        public static let unknownFormat = Code(rawValue: "unknown-format")
        /// A binary file header or block header is malformed.
        public static let badHeader = Code(rawValue: "bad-header")
        /// A binary record runs past the end of the input.
        public static let truncated = Code(rawValue: "truncated")
        /// A binary record is larger than the reader's limit.
        public static let recordTooLong = Code(rawValue: "record-too-long")
        /// A capture of a link type that does not carry CAN frames.
        public static let unsupportedLinkType = Code(rawValue: "unsupported-link-type")
        /// The input file does not exist.
        public static let fileNotFound = Code(rawValue: "file-not-found")
        /// The input could not be opened or read (permissions, I/O error).
        public static let readFailed = Code(rawValue: "read-failed")
        /// Gzip-compressed input is corrupt or truncated.
        public static let badCompressedData = Code(rawValue: "bad-compressed-data")

        public var description: String { rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// Where it went wrong.
    public var location: LogLocation
    /// A sentence saying what was expected and what was found.
    public var reason: String

    /// Creates an error.
    public init(_ code: Code, at location: LogLocation, _ reason: String) {
        self.code = code
        self.location = location
        self.reason = reason
    }

    /// `location: reason`, e.g. `capture.log:17:24: expected a hex digit in the data, found 'G'`.
    public var description: String { "\(location): \(reason)" }

    public static func == (lhs: LogError, rhs: LogError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// A problem in one line of a text log, as found by a line parser that does not know the file or line number.
/// ``LogReader`` turns it into a ``LogError`` with the full location.
public struct LineSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var code: LogError.Code
    /// The 1-based byte column in the line.
    public var column: Int
    /// What was expected and what was found.
    public var reason: String

    /// Creates an error at `column`.
    public init(_ code: LogError.Code, column: Int, _ reason: String) {
        self.code = code
        self.column = column
        self.reason = reason
    }

    /// `column: reason`.
    public var description: String { "\(column): \(reason)" }

    /// The full error once the file and line are known.
    public func located(file: String, line: Int) -> LogError {
        LogError(code, at: LogLocation(file: file, line: line, column: column), reason)
    }
}
