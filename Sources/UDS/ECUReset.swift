import DTC

/// Service 0x11 ECUReset (ISO 14229-1:2020 §10.3). Request `11 <reset type>`; response `51 <reset type>`,
/// plus the power-down time in seconds for enableRapidPowerShutDown.
public enum ECUReset {
    /// A reset type (the sub-function, bits 0-6). Open code space.
    public struct ResetType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The sub-function value without the suppress bit.
        public let rawValue: UInt8
        /// Wraps a value; bit 7 is dropped.
        public init(rawValue: UInt8) { self.rawValue = rawValue & 0x7F }
        /// Wraps a value; bit 7 is dropped.
        public init(_ rawValue: UInt8) { self.init(rawValue: rawValue) }

        /// 0x01 hardReset.
        public static let hardReset = ResetType(0x01)
        /// 0x02 keyOffOnReset.
        public static let keyOffOnReset = ResetType(0x02)
        /// 0x03 softReset.
        public static let softReset = ResetType(0x03)
        /// 0x04 enableRapidPowerShutDown.
        public static let enableRapidPowerShutDown = ResetType(0x04)
        /// 0x05 disableRapidPowerShutDown.
        public static let disableRapidPowerShutDown = ResetType(0x05)

        /// The ISO 14229 name, or nil.
        public var name: String? {
            switch rawValue {
            case 0x01: "hardReset"
            case 0x02: "keyOffOnReset"
            case 0x03: "softReset"
            case 0x04: "enableRapidPowerShutDown"
            case 0x05: "disableRapidPowerShutDown"
            default: nil
            }
        }

        public var description: String {
            name.map { "\($0) (\(PayloadText.hex(rawValue)))" } ?? PayloadText.hex(rawValue)
        }
    }

    /// `11 <reset type>`.
    public struct Request: Hashable, Sendable {
        /// The kind of reset.
        public var resetType: ResetType
        /// Bit 7 of the sub-function.
        public var suppressPositiveResponse: Bool

        /// Builds a request.
        public init(_ resetType: ResetType, suppressPositiveResponse: Bool = false) {
            self.resetType = resetType
            self.suppressPositiveResponse = suppressPositiveResponse
        }

        /// The request bytes.
        public var bytes: [UInt8] {
            [UDSServiceID.ecuReset.rawValue, resetType.rawValue | (suppressPositiveResponse ? 0x80 : 0)]
        }

        init(from cursor: inout UDSCursor) throws(UDSError) {
            let subFunction = try cursor.byte("reset type")
            self.init(ResetType(subFunction), suppressPositiveResponse: subFunction & 0x80 != 0)
        }

        var fields: [(name: String, value: String)] {
            [("reset type", resetType.description)] + suppressField(suppressPositiveResponse)
        }
    }

    /// `51 <reset type> [power-down time]`.
    public struct Response: Hashable, Sendable {
        /// The reset type echoed.
        public var resetType: ResetType
        /// Seconds until power down (enableRapidPowerShutDown only; 0xFF: not available).
        public var powerDownTimeSeconds: UInt8?

        /// Creates a response.
        public init(_ resetType: ResetType, powerDownTimeSeconds: UInt8? = nil) {
            self.resetType = resetType
            self.powerDownTimeSeconds = powerDownTimeSeconds
        }

        init(from cursor: inout UDSCursor) throws(UDSError) {
            resetType = ResetType(try cursor.byte("reset type"))
            if !cursor.isAtEnd { powerDownTimeSeconds = try cursor.byte("power-down time") }
        }

        var fields: [(name: String, value: String)] {
            [("reset type", resetType.description)]
                + (powerDownTimeSeconds.map { [("power-down time", "\($0) s")] } ?? [])
        }
    }
}
