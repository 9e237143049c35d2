import DTC

/// An OBD-II (SAE J1979) payload that does not fit the layout of its mode: which rule it broke, why, and where.
///
/// A negative response (`7F mode NRC`) is not an error; it decodes to a value. Errors are for malformed
/// bytes only. Equality compares ``code`` alone, so tests can match on the kind of failure.
public struct OBDError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; an open set.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// A short identifier such as `truncated`.
        public let rawValue: String
        /// Wraps an identifier.
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The payload is empty: there is no service identifier.
        public static let empty = Code(rawValue: "empty")
        /// The payload ends before a field its layout requires.
        public static let truncated = Code(rawValue: "truncated")
        /// Bytes remain after the last field the layout allows.
        public static let trailingBytes = Code(rawValue: "trailingBytes")
        /// A length or count field disagrees with the bytes that follow.
        public static let lengthMismatch = Code(rawValue: "lengthMismatch")
        /// A count byte disagrees with the items that follow.
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

    public static func == (lhs: OBDError, rhs: OBDError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// For example `OBD-II countMismatch at byte 1: ...`.
    public var description: String {
        "OBD-II \(code) at byte \(offset): \(reason) (\(PayloadText.spaced(payload)))"
    }
}

extension OBDError: PayloadDecodingError {
    package static func truncated(_ reason: String, offset: Int, payload: [UInt8]) -> OBDError {
        OBDError(.truncated, reason, offset: offset, payload: payload)
    }

    package static func trailingBytes(_ reason: String, offset: Int, payload: [UInt8]) -> OBDError {
        OBDError(.trailingBytes, reason, offset: offset, payload: payload)
    }
}

/// The cursor every OBD view reads with.
typealias OBDCursor = ByteCursor<OBDError>

extension ByteCursor where Failure == OBDError {
    func error(_ code: OBDError.Code, _ reason: String, at offset: Int? = nil) -> OBDError {
        OBDError(code, reason, offset: offset ?? self.offset, payload: payload)
    }
}
