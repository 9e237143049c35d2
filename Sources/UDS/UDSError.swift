import DTC

/// A UDS payload that does not fit the layout of its service: which rule it broke, why, and where.
///
/// A negative response (`7F SID NRC`) is not an error; it decodes to ``NegativeResponse``. Errors are for
/// malformed bytes only. Equality compares ``code`` alone, so tests can match on the kind of failure.
public struct UDSError: Error, Hashable, Sendable, CustomStringConvertible {
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
        /// A field holds a value the layout does not allow.
        public static let invalidValue = Code(rawValue: "invalidValue")
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

    public static func == (lhs: UDSError, rhs: UDSError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// For example `UDS truncated at byte 3: missing DTC status (59 02 FF 95 C4 00)`.
    public var description: String {
        "UDS \(code) at byte \(offset): \(reason) (\(PayloadText.spaced(payload)))"
    }
}

extension UDSError: PayloadDecodingError {
    package static func truncated(_ reason: String, offset: Int, payload: [UInt8]) -> UDSError {
        UDSError(.truncated, reason, offset: offset, payload: payload)
    }

    package static func trailingBytes(_ reason: String, offset: Int, payload: [UInt8]) -> UDSError {
        UDSError(.trailingBytes, reason, offset: offset, payload: payload)
    }
}

/// The cursor every UDS view reads with.
typealias UDSCursor = ByteCursor<UDSError>

extension ByteCursor where Failure == UDSError {
    /// An error at the cursor's position.
    func error(_ code: UDSError.Code, _ reason: String, at offset: Int? = nil) -> UDSError {
        UDSError(code, reason, offset: offset ?? self.offset, payload: payload)
    }

    /// A three-byte DTC followed by its status byte.
    mutating func dtcAndStatus() throws(UDSError) -> DiagnosticTroubleCode {
        var dtc = try dtc()
        dtc.status = DTCStatus(rawValue: try byte("DTC status"))
        return dtc
    }

    /// A three-byte DTC without status.
    mutating func dtc() throws(UDSError) -> DiagnosticTroubleCode {
        let bytes = try self.bytes(3, "DTC")
        let start = bytes.startIndex
        return DiagnosticTroubleCode(udsHigh: bytes[start], middle: bytes[start + 1], low: bytes[start + 2])
    }
}

extension Array where Element == UInt8 {
    /// Appends a three-byte UDS DTC (and its status, when `withStatus` and present).
    mutating func appendUDS(_ dtc: DiagnosticTroubleCode, withStatus: Bool) {
        append(dtc.code.highByte)
        append(dtc.code.lowByte)
        append(dtc.failureType?.rawValue ?? 0)
        if withStatus { append(dtc.status?.rawValue ?? 0) }
    }

    mutating func appendUInt16(_ value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(value & 0xFF))
    }

    mutating func appendUInt24(_ value: UInt32) {
        append(UInt8((value >> 16) & 0xFF))
        append(UInt8((value >> 8) & 0xFF))
        append(UInt8(value & 0xFF))
    }
}
