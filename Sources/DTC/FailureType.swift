/// The failure-type byte (FTB) of a three-byte ISO 14229 DTC: the SAE J2012-DA category and sub-type
/// that say *how* the component failed (`04` system internal failure, `13` circuit open, `87` missing
/// message...). Toyota manuals print it as a suffix: `B15A804`, `U0100-87`.
///
/// An open code space: every byte value is representable, and values without a standard name still print.
public struct FailureType: RawRepresentable, Hashable, Sendable, Comparable {
    /// The byte.
    public let rawValue: UInt8

    /// Wraps a byte.
    @inlinable
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The SAE J2012-DA name, or nil for a value with no standard name (reserved or manufacturer-defined).
    public var name: String? { Self.names[rawValue] }

    /// The category the high nibble selects (for example "General Electrical Failures" for 0x1_), or nil.
    public var categoryName: String? { Self.categories[rawValue >> 4] }

    /// True for 0xF0-0xFF, which SAE J2012-DA leaves to the manufacturer.
    public var isManufacturerSpecific: Bool { rawValue >= 0xF0 }

    public static func < (lhs: FailureType, rhs: FailureType) -> Bool { lhs.rawValue < rhs.rawValue }

    /// 0x00: no sub-type information.
    public static let noSubTypeInformation = FailureType(rawValue: 0x00)
    /// 0x04: system internal failures (Toyota B15A804, DCM internal failure).
    public static let systemInternalFailure = FailureType(rawValue: 0x04)
    /// 0x11: circuit short to ground.
    public static let circuitShortToGround = FailureType(rawValue: 0x11)
    /// 0x13: circuit open.
    public static let circuitOpen = FailureType(rawValue: 0x13)
    /// 0x64: signal plausibility failure (Toyota B15C464).
    public static let signalPlausibilityFailure = FailureType(rawValue: 0x64)
    /// 0x87: missing message (Toyota U0100-87).
    public static let missingMessage = FailureType(rawValue: 0x87)
    /// 0x88: bus off (Toyota U0074-88).
    public static let busOff = FailureType(rawValue: 0x88)
}

extension FailureType: CustomStringConvertible {
    /// The two hex digits and the name when there is one: `87 (missing message)`.
    public var description: String {
        let hex = String(rawValue, radix: 16, uppercase: true)
        let padded = hex.count == 1 ? "0" + hex : hex
        guard let name else { return padded }
        return "\(padded) (\(name))"
    }
}
