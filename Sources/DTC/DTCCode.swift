/// A two-byte SAE J2012 diagnostic trouble code, such as `P0335`, `B15C4` or `U1103`.
///
/// Layout (SAE J2012 / ISO 15031-6, the first two bytes of an ISO 14229 DTC): bits 15-14 pick the system
/// letter (00 P powertrain, 01 C chassis, 10 B body, 11 U network), bits 13-12 the first digit (0-3), and
/// the remaining three nibbles are printed as hex digits. So `95 C4` is `B15C4`, `D1 03` is `U1103` and
/// `C1 00` is `U0100`.
public struct DTCCode: RawRepresentable, Hashable, Sendable, Comparable {
    /// The two bytes as a big-endian number (`0x95C4` for `B15C4`).
    public let rawValue: UInt16

    /// Creates a code from its two-byte value.
    @inlinable
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Creates a code from its high and low byte, as they appear on the wire.
    @inlinable
    public init(high: UInt8, low: UInt8) { rawValue = UInt16(high) << 8 | UInt16(low) }

    /// The system a code belongs to: the letter of its text form.
    public enum System: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// `P`: powertrain (engine, transmission, hybrid).
        case powertrain = 0
        /// `C`: chassis (brakes, steering, suspension).
        case chassis = 1
        /// `B`: body (airbags, telematics, comfort).
        case body = 2
        /// `U`: network and vehicle integration (CAN communication).
        case network = 3

        /// The code letter: P, C, B or U.
        public var letter: Character { Self.letters[Int(rawValue)] }
        public var description: String { String(letter) }

        static let letters: [Character] = ["P", "C", "B", "U"]
    }

    /// P, C, B or U.
    @inlinable
    public var system: System { System(rawValue: UInt8(rawValue >> 14))! }

    /// The first digit (0-3): 0 SAE-defined, 1 manufacturer-defined, 2 and 3 depend on the system.
    @inlinable
    public var firstDigit: UInt8 { UInt8((rawValue >> 12) & 0x3) }

    /// The high byte on the wire.
    public var highByte: UInt8 { UInt8(rawValue >> 8) }
    /// The low byte on the wire.
    public var lowByte: UInt8 { UInt8(rawValue & 0xFF) }

    /// Who defines the code's meaning, from its first two characters (SAE J2012 §5.3 code ranges):
    /// P0, P2, P34-P39 and B0, C0, U0 are SAE-defined; P1, P30-P33, B1/B2, C1/C2, U1/U2 belong to the
    /// manufacturer; B3, C3 and U3 are reserved. Toyota's B15xx and U11xx are manufacturer codes.
    public var isManufacturerSpecific: Bool {
        switch (system, firstDigit) {
        case (.powertrain, 1): return true
        case (.powertrain, 3): return (rawValue >> 8) & 0xF <= 3
        case (.powertrain, _): return false
        case (_, 1), (_, 2): return true
        default: return false
        }
    }

    public static func < (lhs: DTCCode, rhs: DTCCode) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension DTCCode: CustomStringConvertible, LosslessStringConvertible {
    /// The five-character form, for example `B15C4`.
    public var description: String {
        var text = String(system.letter)
        text.append(Character(Unicode.Scalar(UInt8(ascii: "0") + firstDigit)))
        let digits: [Character] = Array("0123456789ABCDEF")
        text.append(digits[Int((rawValue >> 8) & 0xF)])
        text.append(digits[Int((rawValue >> 4) & 0xF)])
        text.append(digits[Int(rawValue & 0xF)])
        return text
    }

    /// Parses the five-character form (`B15C4`, case-insensitive). Returns nil for anything else.
    public init?(_ description: String) {
        let utf8 = Array(description.utf8)
        guard utf8.count == 5, let code = DTCCode(parsing: utf8[...]) else { return nil }
        self = code
    }

    /// Parses exactly five ASCII characters: letter, digit 0-3, three hex digits.
    init?(parsing text: ArraySlice<UInt8>) {
        guard text.count == 5 else { return nil }
        let letter = text[text.startIndex] & ~0x20  // upper-case
        guard let systemIndex = "PCBU".utf8.firstIndex(of: letter) else { return nil }
        let system = UInt16("PCBU".utf8.distance(from: "PCBU".utf8.startIndex, to: systemIndex))
        let digit = text[text.startIndex + 1]
        guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "3") else { return nil }
        var value = system << 14 | UInt16(digit - UInt8(ascii: "0")) << 12
        for index in (text.startIndex + 2)..<text.endIndex {
            guard let nibble = hexValue(text[index]) else { return nil }
            value |= UInt16(nibble) << (4 * UInt16(text.endIndex - 1 - index))
        }
        self.init(rawValue: value)
    }
}

/// The value of one ASCII hex digit, or nil.
@inlinable
func hexValue(_ character: UInt8) -> UInt8? {
    switch character {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
    default: return nil
    }
}
