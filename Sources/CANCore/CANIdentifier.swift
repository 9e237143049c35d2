/// The arbitration identifier of a CAN frame: an 11-bit standard id or a 29-bit extended id.
///
/// The value is validated on construction, so a `CANIdentifier` in hand is always in range for its format.
/// Ids compare by value first, then standard before extended (the order candump sorts in).
public struct CANIdentifier: Hashable, Sendable, Comparable {
    /// Whether an id uses the 11-bit base format or the 29-bit extended format (ISO 11898-1 IDE bit).
    public enum Format: UInt8, Hashable, Sendable, CaseIterable {
        /// 11-bit identifier, 0x000-0x7FF.
        case standard
        /// 29-bit identifier, 0x00000000-0x1FFFFFFF.
        case extended

        /// The largest identifier value of this format.
        public var maximum: UInt32 { self == .standard ? 0x7FF : 0x1FFF_FFFF }
    }

    /// The identifier's numeric value (at most `format.maximum`).
    public let value: UInt32
    /// Standard (11-bit) or extended (29-bit).
    public let format: Format

    /// Creates an identifier, or returns nil when `value` does not fit in `format`.
    @inlinable
    public init?(_ value: UInt32, format: Format) {
        guard value <= format.maximum else { return nil }
        self.value = value
        self.format = format
    }

    /// Creates an 11-bit identifier, or returns nil above 0x7FF.
    @inlinable
    public static func standard(_ value: UInt32) -> CANIdentifier? { CANIdentifier(value, format: .standard) }

    /// Creates a 29-bit identifier, or returns nil above 0x1FFFFFFF.
    @inlinable
    public static func extended(_ value: UInt32) -> CANIdentifier? { CANIdentifier(value, format: .extended) }

    /// True for a 29-bit identifier.
    @inlinable
    public var isExtended: Bool { format == .extended }

    public static func < (lhs: CANIdentifier, rhs: CANIdentifier) -> Bool {
        (lhs.value, lhs.format.rawValue) < (rhs.value, rhs.format.rawValue)
    }
}

extension CANIdentifier: CustomStringConvertible {
    /// The id as candump prints it: three upper-case hex digits for standard ids, eight for extended ids.
    public var description: String {
        Hex.string(value, digits: isExtended ? 8 : 3)
    }
}
