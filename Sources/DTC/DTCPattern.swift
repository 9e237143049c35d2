/// A pattern over DTC text, as users and the knowledge base write them: exact (`B15C4`), with a failure
/// type (`B15A804`), with `x` wildcards for any one hex digit (`B15xx`, `U11xx`, `U01x0`), or a range of
/// codes (`U0100-U0164`).
public struct DTCPattern: Hashable, Sendable, CustomStringConvertible {
    enum Form: Hashable, Sendable {
        /// Five characters: each position either a fixed ASCII character or nil (wildcard).
        case code([UInt8?], failureType: FailureType?)
        /// An inclusive range of two-byte codes.
        case range(ClosedRange<UInt16>)
    }

    let form: Form
    /// The text the pattern was made from, upper-cased.
    public let description: String

    /// Parses a pattern; nil when the text is not one of the forms above.
    public init?(_ text: String) {
        let upper = text.uppercased()
        let utf8 = Array(upper.utf8)
        if utf8.count == 11, utf8[5] == UInt8(ascii: "-"),
            let low = DTCCode(String(decoding: utf8[0..<5], as: UTF8.self)),
            let high = DTCCode(String(decoding: utf8[6..<11], as: UTF8.self)), low <= high
        {
            form = .range(low.rawValue...high.rawValue)
            description = upper
            return
        }
        guard utf8.count == 5 || utf8.count == 7 else { return nil }
        var positions: [UInt8?] = []
        for (index, character) in utf8.prefix(5).enumerated() {
            if character == UInt8(ascii: "X") && index >= 1 {
                positions.append(nil)
                continue
            }
            switch index {
            case 0: guard "PCBU".utf8.contains(character) else { return nil }
            case 1: guard (UInt8(ascii: "0")...UInt8(ascii: "3")).contains(character) else { return nil }
            default: guard hexValue(character) != nil else { return nil }
            }
            positions.append(character)
        }
        var failureType: FailureType?
        if utf8.count == 7 {
            guard let high = hexValue(utf8[5]), let low = hexValue(utf8[6]) else { return nil }
            failureType = FailureType(rawValue: high << 4 | low)
        }
        form = .code(positions, failureType: failureType)
        description = upper
    }

    /// True when `dtc` matches. A pattern with a failure type only matches DTCs with that failure type.
    public func matches(_ dtc: DiagnosticTroubleCode) -> Bool {
        switch form {
        case .range(let range):
            return range.contains(dtc.code.rawValue)
        case .code(let positions, let failureType):
            if let failureType, dtc.failureType != failureType { return false }
            let text = Array(dtc.code.description.utf8)
            for (index, expected) in positions.enumerated() {
                if let expected, text[index] != expected { return false }
            }
            return true
        }
    }

    /// True when `code` matches, ignoring any failure type in the pattern.
    public func matches(_ code: DTCCode) -> Bool {
        switch form {
        case .range: return matches(DiagnosticTroubleCode(code: code))
        case .code(let positions, _):
            let text = Array(code.description.utf8)
            return zip(positions, text).allSatisfy { expected, actual in expected.map { $0 == actual } ?? true }
        }
    }

    /// How specific the pattern is, for choosing the best of several matches: an exact code with a failure
    /// type beats an exact code, which beats fewer wildcards, which beats more; ranges rank lowest.
    public var specificity: Int {
        switch form {
        case .range: return 0
        case .code(let positions, let failureType):
            return positions.compactMap { $0 }.count * 2 + (failureType == nil ? 0 : 1)
        }
    }
}
