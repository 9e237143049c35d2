/// Hex formatting and parsing shared by every module; byte-level, no Foundation.
public enum Hex {
    @usableFromInline static let digits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// `value` as upper-case hex, zero-padded to at least `digits` digits.
    public static func string<Value: FixedWidthInteger>(_ value: Value, digits: Int) -> String {
        var text = String(value, radix: 16, uppercase: true)
        if text.count < digits { text = String(repeating: "0", count: digits - text.count) + text }
        return text
    }

    /// Bytes as upper-case hex with no separator ("0659").
    public static func compact<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            utf8.append(digits[Int(byte >> 4)])
            utf8.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Bytes as upper-case hex pairs separated by single spaces ("06 59 02").
    public static func spaced<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.underestimatedCount * 3)
        for byte in bytes {
            if !utf8.isEmpty { utf8.append(UInt8(ascii: " ")) }
            utf8.append(digits[Int(byte >> 4)])
            utf8.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// The value of one ASCII hex digit (either case), or nil.
    @inlinable
    public static func value(ofDigit character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character &- UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return character &- UInt8(ascii: "A") &+ 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character &- UInt8(ascii: "a") &+ 10
        default: return nil
        }
    }

    /// Parses hex bytes written with or without separators ("59 02 FF", "5902FF", "59-02-ff", "0x59,0x02").
    /// Returns nil on a character that is not a hex digit or separator, or an odd number of digits in a group.
    public static func bytes(_ text: String) -> [UInt8]? {
        var result: [UInt8] = []
        var group: [UInt8] = []
        func flush() -> Bool {
            guard group.count % 2 == 0 else { return false }
            var index = 0
            while index < group.count {
                result.append(group[index] << 4 | group[index + 1])
                index += 2
            }
            group.removeAll(keepingCapacity: true)
            return true
        }
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            let character = utf8[index]
            if character == UInt8(ascii: "0"), index + 1 < utf8.count,
                utf8[index + 1] == UInt8(ascii: "x") || utf8[index + 1] == UInt8(ascii: "X"), group.isEmpty
            {
                index += 2
                continue
            }
            if let digit = value(ofDigit: character) {
                group.append(digit)
            } else if character == UInt8(ascii: " ") || character == UInt8(ascii: ",") || character == UInt8(ascii: "-")
                || character == UInt8(ascii: ":") || character == UInt8(ascii: "\t")
            {
                guard flush() else { return nil }
            } else {
                return nil
            }
            index += 1
        }
        guard flush() else { return nil }
        return result
    }
}
