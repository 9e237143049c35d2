import DTC

/// Service 0x3E TesterPresent (ISO 14229-1:2020 §10.7): keeps a non-default session alive. Request
/// `3E 00`, or `3E 80` to suppress the positive response; response `7E 00`.
public enum TesterPresent {
    /// `3E <zero sub-function>`.
    public struct Request: Hashable, Sendable {
        /// Bit 7 of the sub-function: `3E 80`, the form sent periodically without wanting answers.
        public var suppressPositiveResponse: Bool
        /// The sub-function without bit 7; ISO 14229 defines only zeroSubFunction (0x00).
        public var subFunction: UInt8

        /// Builds a request.
        public init(suppressPositiveResponse: Bool = false) {
            self.suppressPositiveResponse = suppressPositiveResponse
            subFunction = 0
        }

        /// The request bytes.
        public var bytes: [UInt8] {
            [UDSServiceID.testerPresent.rawValue, subFunction | (suppressPositiveResponse ? 0x80 : 0)]
        }

        init(from cursor: inout UDSCursor) throws(UDSError) {
            let byte = try cursor.byte("sub-function")
            suppressPositiveResponse = byte & 0x80 != 0
            subFunction = byte & 0x7F
        }

        var fields: [(name: String, value: String)] {
            [("sub-function", subFunction == 0 ? "zeroSubFunction (0x00)" : PayloadText.hex(subFunction))]
                + suppressField(suppressPositiveResponse)
        }
    }

    /// `7E <zero sub-function>`.
    public struct Response: Hashable, Sendable {
        /// The sub-function echoed.
        public var subFunction: UInt8

        /// Creates a response.
        public init(subFunction: UInt8 = 0) { self.subFunction = subFunction }

        /// The response bytes.
        public var bytes: [UInt8] { [UDSServiceID.testerPresent.positiveResponseByte, subFunction] }

        init(from cursor: inout UDSCursor) throws(UDSError) {
            subFunction = try cursor.byte("sub-function")
        }

        var fields: [(name: String, value: String)] {
            [("sub-function", subFunction == 0 ? "zeroSubFunction (0x00)" : PayloadText.hex(subFunction))]
        }
    }
}
