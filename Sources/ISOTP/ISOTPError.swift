public import CANCore

/// Why an ISO-TP frame was discarded or a transfer was aborted: the one error type of this module.
///
/// Errors compare equal by ``code`` alone, so tests and callers can match on what happened; ``reason``,
/// ``canID`` and ``timestamp`` say where and when, for people. Every abort the standard names
/// (ISO 15765-2:2016 §9.8: N_TIMEOUT_A/Bs/Cr, N_WRONG_SN, N_INVALID_FS, N_UNEXP_PDU, N_WFT_OVRN,
/// N_BUFFER_OVFLW) has its own code.
public struct ISOTPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong; an open set of named codes.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code's name.
        public let rawValue: String
        /// Creates a code from its name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A frame with no data bytes, or too few for its protocol control information.
        public static let frameTooShort = Code(rawValue: "frameTooShort")
        /// The high nibble of the PCI byte is 4-15: not SF, FF, CF or FC.
        public static let invalidProtocolControlInformation = Code(rawValue: "invalidProtocolControlInformation")
        /// A single frame whose SF_DL is 0, does not fit the frame, or misuses the CAN FD escape (§9.6.2.2).
        public static let invalidSingleFrameLength = Code(rawValue: "invalidSingleFrameLength")
        /// A first frame shorter than 8 bytes, with an FF_DL that fits a single frame, or an escape holding
        /// a length below 4096 (§9.6.3.2).
        public static let invalidFirstFrameLength = Code(rawValue: "invalidFirstFrameLength")
        /// A consecutive frame longer than the first frame's, or a non-final one shorter (§9.6.4.1).
        public static let invalidConsecutiveFrameLength = Code(rawValue: "invalidConsecutiveFrameLength")
        /// A flow-control frame with a reserved flow status (3-15); the transfer is aborted (N_INVALID_FS).
        public static let invalidFlowStatus = Code(rawValue: "invalidFlowStatus")
        /// Strict padding check: a byte after the data is not the configured padding byte.
        public static let paddingMismatch = Code(rawValue: "paddingMismatch")
        /// A consecutive frame arrived while no segmented reception was in progress (N_UNEXP_PDU).
        public static let unexpectedConsecutiveFrame = Code(rawValue: "unexpectedConsecutiveFrame")
        /// A consecutive frame carried the wrong sequence number (N_WRONG_SN).
        public static let sequenceNumberMismatch = Code(rawValue: "sequenceNumberMismatch")
        /// A first frame arrived during a segmented reception: the old message is dropped, the new one starts.
        public static let interruptedByFirstFrame = Code(rawValue: "interruptedByFirstFrame")
        /// A single frame arrived during a segmented reception: the old message is dropped, the new one delivered.
        public static let interruptedBySingleFrame = Code(rawValue: "interruptedBySingleFrame")
        /// A first frame announced more bytes than our configured maximum; we answered FC overflow.
        public static let messageTooLong = Code(rawValue: "messageTooLong")
        /// The receiver answered our first frame with FC overflow (FS = 2, N_BUFFER_OVFLW).
        public static let receiverOverflow = Code(rawValue: "receiverOverflow")
        /// The receiver sent more FC wait frames in a row than N_WFTmax allows (N_WFT_OVRN).
        public static let waitFrameLimitExceeded = Code(rawValue: "waitFrameLimitExceeded")
        /// N_As: the transport did not accept a frame we sent in time (N_TIMEOUT_A).
        public static let transmitTimeout = Code(rawValue: "transmitTimeout")
        /// N_Bs: no flow-control frame arrived in time after a first frame or a block (N_TIMEOUT_Bs).
        public static let flowControlTimeout = Code(rawValue: "flowControlTimeout")
        /// N_Cr: no consecutive frame arrived in time (N_TIMEOUT_Cr).
        public static let consecutiveFrameTimeout = Code(rawValue: "consecutiveFrameTimeout")
        /// A message to send is empty or longer than the configured maximum.
        public static let invalidMessageLength = Code(rawValue: "invalidMessageLength")
        /// A send was started while the previous one was still in progress.
        public static let transmitterBusy = Code(rawValue: "transmitterBusy")
        /// Nothing arrived before the caller's receive timeout.
        public static let receiveTimeout = Code(rawValue: "receiveTimeout")
        /// The channel was closed, or its transport's frame sequence ended or failed.
        public static let channelClosed = Code(rawValue: "channelClosed")
        /// Received messages piled up beyond the channel's inbox limit; the oldest was dropped.
        public static let inboxOverflow = Code(rawValue: "inboxOverflow")

        /// The code's name.
        public var description: String { rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A sentence for people: what was expected and what was found.
    public var reason: String
    /// The CAN id of the frame concerned, when there is one.
    public var canID: CANIdentifier?
    /// The instant the error was detected, on the state machine's time line.
    public var timestamp: Duration?

    /// Creates an error.
    public init(_ code: Code, _ reason: String, canID: CANIdentifier? = nil, timestamp: Duration? = nil) {
        self.code = code
        self.reason = reason
        self.canID = canID
        self.timestamp = timestamp
    }

    /// Errors are equal when their codes are, whatever their reason, id and time.
    public static func == (lhs: ISOTPError, rhs: ISOTPError) -> Bool { lhs.code == rhs.code }
    /// Hashes the code alone, like `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// "ISO-TP <code>: <reason> (id <id>)".
    public var description: String {
        var text = "ISO-TP \(code.rawValue): \(reason)"
        if let canID { text += " (id \(canID))" }
        return text
    }

    /// The same error with the id and instant filled in where they were missing.
    func located(canID: CANIdentifier?, at timestamp: Duration?) -> ISOTPError {
        var copy = self
        copy.canID = copy.canID ?? canID
        copy.timestamp = copy.timestamp ?? timestamp
        return copy
    }
}
