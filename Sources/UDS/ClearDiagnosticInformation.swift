public import DTC

/// Service 0x14 ClearDiagnosticInformation (ISO 14229-1:2020 §11.2). Request `14 <group of DTC, 3 bytes>
/// [memory selection]`; response `54`.
public enum ClearDiagnosticInformation {
    /// A group of DTCs, or one DTC, to clear (ISO 14229-1 Annex D.1). Open code space.
    public struct DTCGroup: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The 24-bit value.
        public let rawValue: UInt32
        /// Wraps a value; bits above 24 are dropped.
        public init(rawValue: UInt32) { self.rawValue = rawValue & 0xFF_FFFF }

        /// 0xFFFFFF: all groups (every DTC).
        public static let all = DTCGroup(rawValue: 0xFF_FFFF)
        /// 0xFFFF33: emissions-related systems (WWH-OBD).
        public static let emissionsRelated = DTCGroup(rawValue: 0xFF_FF33)

        /// One DTC.
        public init(_ dtc: DiagnosticTroubleCode) { self.init(rawValue: dtc.udsValue ?? UInt32(dtc.code.rawValue) << 8) }

        public var description: String {
            switch self {
            case .all: return "all groups (0xFFFFFF)"
            case .emissionsRelated: return "emissions-related systems (0xFFFF33)"
            default:
                let dtc = DiagnosticTroubleCode(
                    udsHigh: UInt8(rawValue >> 16), middle: UInt8((rawValue >> 8) & 0xFF), low: UInt8(rawValue & 0xFF))
                return "\(PayloadText.hex(rawValue, width: 6)) (\(dtc.hyphenatedText))"
            }
        }
    }

    /// `14 <group> [memory selection]`.
    public struct Request: Hashable, Sendable {
        /// What to clear.
        public var group: DTCGroup
        /// The user-defined memory to clear (ISO 14229-1:2020), or nil for the primary memory.
        public var memorySelection: UInt8?

        /// Builds a request; the default clears every DTC.
        public init(_ group: DTCGroup = .all, memorySelection: UInt8? = nil) {
            self.group = group
            self.memorySelection = memorySelection
        }

        /// The request bytes.
        public var bytes: [UInt8] {
            var bytes = [UDSServiceID.clearDiagnosticInformation.rawValue]
            bytes.appendUInt24(group.rawValue)
            if let memorySelection { bytes.append(memorySelection) }
            return bytes
        }

        init(from cursor: inout UDSCursor) throws(UDSError) {
            group = DTCGroup(rawValue: try cursor.uint24("group of DTC"))
            if !cursor.isAtEnd { memorySelection = try cursor.byte("memory selection") }
        }

        var fields: [(name: String, value: String)] {
            [("group of DTC", group.description)]
                + (memorySelection.map { [("memory selection", PayloadText.hex($0))] } ?? [])
        }
    }
}
