import DTC

/// Service 0x85 ControlDTCSetting (ISO 14229-1:2020 §10.11): stop or resume DTC status updates in the
/// server. Request `85 <on 01 | off 02> [option record]`; response `C5 <type>`.
public enum ControlDTCSetting {
    /// The setting type (sub-function, bits 0-6). Open code space.
    public struct SettingType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The sub-function value without the suppress bit.
        public let rawValue: UInt8
        /// Wraps a value; bit 7 is dropped.
        public init(rawValue: UInt8) { self.rawValue = rawValue & 0x7F }

        /// 0x01: the server resumes updating DTC status bits.
        public static let on = SettingType(rawValue: 0x01)
        /// 0x02: the server stops updating DTC status bits.
        public static let off = SettingType(rawValue: 0x02)

        public var description: String {
            switch rawValue {
            case 0x01: "on (0x01)"
            case 0x02: "off (0x02)"
            default: PayloadText.hex(rawValue)
            }
        }
    }

    /// `85 <type> [DTCSettingControlOptionRecord]`.
    public struct Request: Hashable, Sendable {
        /// On or off.
        public var settingType: SettingType
        /// Bit 7 of the sub-function.
        public var suppressPositiveResponse: Bool
        /// The optional option record (often a DTC group), as bytes.
        public var optionRecord: ArraySlice<UInt8>

        /// Builds a request.
        public init(_ settingType: SettingType, suppressPositiveResponse: Bool = false, optionRecord: [UInt8] = []) {
            self.settingType = settingType
            self.suppressPositiveResponse = suppressPositiveResponse
            self.optionRecord = optionRecord[...]
        }

        /// The request bytes.
        public var bytes: [UInt8] {
            [UDSServiceID.controlDTCSetting.rawValue, settingType.rawValue | (suppressPositiveResponse ? 0x80 : 0)]
                + optionRecord
        }

        init(from cursor: inout UDSCursor) throws(UDSError) {
            let subFunction = try cursor.byte("DTC setting type")
            settingType = SettingType(rawValue: subFunction)
            suppressPositiveResponse = subFunction & 0x80 != 0
            optionRecord = cursor.rest()
        }

        var fields: [(name: String, value: String)] {
            var fields: [(name: String, value: String)] = [("setting", settingType.description)]
            if !optionRecord.isEmpty { fields.append(("option record", PayloadText.spaced(optionRecord))) }
            return fields + suppressField(suppressPositiveResponse)
        }
    }

    /// `C5 <type>`.
    public struct Response: Hashable, Sendable {
        /// The type echoed.
        public var settingType: SettingType

        /// Creates a response.
        public init(_ settingType: SettingType) { self.settingType = settingType }

        init(from cursor: inout UDSCursor) throws(UDSError) {
            settingType = SettingType(rawValue: try cursor.byte("DTC setting type"))
        }

        var fields: [(name: String, value: String)] { [("setting", settingType.description)] }
    }
}
