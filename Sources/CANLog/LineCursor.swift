import CANCore

/// A read position in one line of text, for the line parsers: bytes are consumed left to right and every
/// failure names its column and what was expected there.
///
/// The line is borrowed (an unsafe pointer into the reader's buffer), so parsing a line allocates nothing.
struct LineCursor {
    let line: UnsafeRawBufferPointer
    var index: Int = 0

    init(_ line: UnsafeRawBufferPointer) { self.line = line }

    var isAtEnd: Bool { index >= line.count }

    /// The byte at the cursor, or nil at the end of the line.
    @inline(__always)
    func peek() -> UInt8? { index < line.count ? line[index] : nil }

    @inline(__always)
    func peek(at offset: Int) -> UInt8? { index + offset < line.count ? line[index + offset] : nil }

    /// Consumes `byte` if it is next.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        guard index < line.count, line[index] == byte else { return false }
        index += 1
        return true
    }

    /// Consumes `byte` or fails saying `expected`.
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ expected: @autoclosure () -> String) throws(LineSyntaxError) {
        guard consume(byte) else { throw failure(expected()) }
    }

    /// Skips spaces and tabs; returns how many.
    @inline(__always) @discardableResult
    mutating func skipBlanks() -> Int {
        let start = index
        while index < line.count, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
        return index - start
    }

    /// Requires at least one space or tab and skips them all.
    mutating func expectBlanks(_ expected: @autoclosure () -> String) throws(LineSyntaxError) {
        guard skipBlanks() > 0 else { throw failure(expected()) }
    }

    /// Consumes bytes up to the next space, tab or end of line and returns them (possibly empty).
    mutating func token() -> UnsafeRawBufferPointer {
        let start = index
        while index < line.count, line[index] != 0x20, line[index] != 0x09 { index += 1 }
        return UnsafeRawBufferPointer(rebasing: line[start..<index])
    }

    /// Consumes bytes up to (not including) `delimiter` or the end of the line.
    mutating func field(until delimiter: UInt8) -> UnsafeRawBufferPointer {
        let start = index
        while index < line.count, line[index] != delimiter { index += 1 }
        return UnsafeRawBufferPointer(rebasing: line[start..<index])
    }

    /// Skips trailing blanks and fails unless the line ends here.
    mutating func expectEnd() throws(LineSyntaxError) {
        skipBlanks()
        guard isAtEnd else { throw failure("expected the end of the line") }
    }

    /// An error at the cursor: "`expected`, found 'x'".
    func failure(_ expected: String, code: LogError.Code = .syntax) -> LineSyntaxError {
        LineSyntaxError(code, column: index + 1, "\(expected), found \(Self.describe(peek()))")
    }

    /// An error at a given 0-based index with a free-form reason.
    func failure(at position: Int, _ reason: String, code: LogError.Code = .invalidFrame) -> LineSyntaxError {
        LineSyntaxError(code, column: position + 1, reason)
    }

    /// How a byte is named in messages: 'G', a space, the end of the line, or 0xNN for anything unprintable.
    static func describe(_ byte: UInt8?) -> String {
        guard let byte else { return "the end of the line" }
        switch byte {
        case 0x20: return "a space"
        case 0x09: return "a tab"
        case 0x21...0x7E: return "'" + String(UnicodeScalar(byte)) + "'"
        default: return "byte 0x" + Hex.string(byte, digits: 2)
        }
    }

    // MARK: Numbers

    /// The value of a hex digit, or 0xFF.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8 {
        let digit = byte &- 0x30
        if digit < 10 { return digit }
        let letter = (byte | 0x20) &- 0x61
        if letter < 6 { return letter &+ 10 }
        return 0xFF
    }

    /// Consumes up to `maximumDigits` hex digits and returns their value and count.
    @inline(__always)
    mutating func hexNumber(maximumDigits: Int) -> (value: UInt32, digits: Int) {
        var value: UInt32 = 0
        var digits = 0
        while digits < maximumDigits, index < line.count {
            let nibble = Self.hexValue(line[index])
            if nibble == 0xFF { break }
            value = value << 4 | UInt32(nibble)
            index += 1
            digits += 1
        }
        return (value, digits)
    }

    /// Consumes one byte written as two hex digits.
    @inline(__always)
    mutating func hexByte(_ expected: @autoclosure () -> String) throws(LineSyntaxError) -> UInt8 {
        guard index < line.count else { throw failure(expected()) }
        let high = Self.hexValue(line[index])
        guard high != 0xFF else { throw failure(expected()) }
        index += 1
        guard index < line.count else { throw failure(expected()) }
        let low = Self.hexValue(line[index])
        guard low != 0xFF else { throw failure(expected()) }
        index += 1
        return high << 4 | low
    }

    /// Consumes decimal digits (at most 18) and returns their value and count.
    @inline(__always)
    mutating func decimalNumber() -> (value: Int64, digits: Int) {
        var value: Int64 = 0
        var digits = 0
        while index < line.count, digits < 18 {
            let digit = line[index] &- 0x30
            if digit >= 10 { break }
            value = value &* 10 &+ Int64(digit)
            index += 1
            digits += 1
        }
        return (value, digits)
    }

    /// Consumes `seconds[.fraction]` and returns it as a duration (fraction of any length up to 18 digits).
    mutating func decimalSeconds(_ expected: @autoclosure () -> String) throws(LineSyntaxError) -> Duration {
        let (seconds, digits) = decimalNumber()
        guard digits > 0 else { throw failure(expected()) }
        var attoseconds: Int64 = 0
        if consume(0x2E) {
            let (fraction, fractionDigits) = decimalNumber()
            guard fractionDigits > 0 else { throw failure("expected digits after the decimal point") }
            attoseconds = fraction &* Self.attosecondScale[fractionDigits]
            // Digits beyond 18 (attoseconds) carry no information a log can hold.
            while let byte = peek(), byte &- 0x30 < 10 { index += 1 }
        }
        return Duration(secondsComponent: seconds, attosecondsComponent: attoseconds)
    }

    /// 10^(18 - n): what a fraction of n digits is multiplied by to give attoseconds.
    static let attosecondScale: [Int64] = (0...18).map { digits in
        var scale: Int64 = 1
        for _ in 0..<(18 - digits) { scale *= 10 }
        return scale
    }
}

extension UnsafeRawBufferPointer {
    /// True when the bytes equal the ASCII text `literal` (case-insensitively when asked).
    func equals(_ literal: StaticString, ignoringCase: Bool = false) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        let text = literal.utf8Start
        for index in 0..<count {
            let a = self[index]
            let b = text[index]
            if a == b { continue }
            if ignoringCase, (a | 0x20) == (b | 0x20), (a | 0x20) >= 0x61, (a | 0x20) <= 0x7A { continue }
            return false
        }
        return true
    }

    /// True when the bytes start with the ASCII text `literal` (case-insensitively when asked).
    func hasPrefix(_ literal: StaticString, ignoringCase: Bool = false) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard count >= length else { return false }
        return UnsafeRawBufferPointer(rebasing: self[0..<length]).equals(literal, ignoringCase: ignoringCase)
    }
}
