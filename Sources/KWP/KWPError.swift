import DTC

/// A KWP2000 payload that does not fit its service's layout: which rule it broke, why, and where.
/// A negative response (`7F SID code`) is a value (``KWPNegativeResponse``), not an error. Equality compares
/// ``code`` alone.
public struct KWPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; an open set.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// A short identifier such as `truncated`.
        public let rawValue: String
        /// Wraps an identifier.
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The payload is empty.
        public static let empty = Code(rawValue: "empty")
        /// The payload ends before a field its layout requires.
        public static let truncated = Code(rawValue: "truncated")
        /// Bytes remain after the last field the layout allows.
        public static let trailingBytes = Code(rawValue: "trailingBytes")
        /// A count byte disagrees with the records that follow.
        public static let countMismatch = Code(rawValue: "countMismatch")
    }

    /// What went wrong.
    public let code: Code
    /// A sentence naming the field.
    public let reason: String
    /// The byte offset in ``payload`` where the problem starts.
    public let offset: Int
    /// The whole payload, unchanged.
    public let payload: [UInt8]

    /// Creates an error.
    public init(_ code: Code, _ reason: String, offset: Int, payload: [UInt8]) {
        self.code = code
        self.reason = reason
        self.offset = offset
        self.payload = payload
    }

    public static func == (lhs: KWPError, rhs: KWPError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// For example `KWP2000 countMismatch at byte 1: ...`.
    public var description: String {
        "KWP2000 \(code) at byte \(offset): \(reason) (\(PayloadText.spaced(payload)))"
    }
}

extension KWPError: PayloadDecodingError {
    package static func truncated(_ reason: String, offset: Int, payload: [UInt8]) -> KWPError {
        KWPError(.truncated, reason, offset: offset, payload: payload)
    }

    package static func trailingBytes(_ reason: String, offset: Int, payload: [UInt8]) -> KWPError {
        KWPError(.trailingBytes, reason, offset: offset, payload: payload)
    }
}

typealias KWPCursor = ByteCursor<KWPError>

extension ByteCursor where Failure == KWPError {
    func error(_ code: KWPError.Code, _ reason: String, at offset: Int? = nil) -> KWPError {
        KWPError(code, reason, offset: offset ?? self.offset, payload: payload)
    }

    /// A count byte followed by `count` records of `size` bytes: checks they agree before reading any.
    mutating func countedRecords(size: Int, _ what: String) throws(KWPError) -> Int {
        let countOffset = offset
        let count = Int(try byte("number of \(what)s"))
        guard remainingCount == count * size else {
            throw error(.countMismatch,
                "count says \(count) \(what)(s) of \(size) bytes, \(remainingCount) bytes follow", at: countOffset)
        }
        return count
    }
}
