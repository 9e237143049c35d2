import CANCore

/// Parses the text that EControls' ECOMCat tool writes (the 2010 Prius captures of Miller and Valasek):
///
/// ```
/// IDH: 07, IDL: 81, Len: 08, Data: 02 21 E1 00 00 00 00 00 ,TS: 74,BAUD: 1
/// ```
///
/// The id is `IDH << 8 | IDL` (11-bit); `TS` is milliseconds. The tool records no interface.
public struct ECOMCatParser: LogLineParser {
    /// Creates a parser.
    public init() {}

    public mutating func parse(line raw: UnsafeRawBufferPointer) throws(LineSyntaxError) -> ParsedLine {
        let line = raw.droppingCarriageReturn
        var cursor = LineCursor(line)
        cursor.skipBlanks()
        if cursor.isAtEnd { return .blank }
        try Self.label(&cursor, "IDH:")
        let (high, highDigits) = cursor.hexNumber(maximumDigits: 2)
        guard highDigits > 0 else { throw cursor.failure("expected the high id byte in hex") }
        try cursor.expect(0x2C, "expected ',' after IDH")
        try Self.label(&cursor, "IDL:")
        let (low, lowDigits) = cursor.hexNumber(maximumDigits: 2)
        guard lowDigits > 0 else { throw cursor.failure("expected the low id byte in hex") }
        try cursor.expect(0x2C, "expected ',' after IDL")
        try Self.label(&cursor, "Len:")
        let lengthStart = cursor.index
        let (length, lengthDigits) = cursor.hexNumber(maximumDigits: 2)
        guard lengthDigits > 0 else { throw cursor.failure("expected the data length") }
        guard length <= 8 else { throw cursor.failure(at: lengthStart, "classic CAN frame with \(length) data bytes") }
        try cursor.expect(0x2C, "expected ',' after Len")
        try Self.label(&cursor, "Data:")
        var data = CANPayload()
        for _ in 0..<Int(length) {
            cursor.skipBlanks()
            data.append(try cursor.hexByte("expected a hex digit in the data"))
        }
        cursor.skipBlanks()
        try cursor.expect(0x2C, "expected ',' after the data")
        try Self.label(&cursor, "TS:")
        let (milliseconds, msDigits) = cursor.decimalNumber()
        guard msDigits > 0 else { throw cursor.failure("expected the timestamp in milliseconds") }
        // ",BAUD: n" and anything after it describe the tool's settings.
        let idStart = 0
        guard let id = CANIdentifier.standard(high << 8 | low) else {
            throw cursor.failure(at: idStart, "standard CAN id \(Hex.string(high << 8 | low, digits: 3)) is above 7FF")
        }
        let frame = CANFrame(
            unchecked: id, kind: .classic, data: data, timestamp: .milliseconds(milliseconds), interface: nil)
        return .frame(frame)
    }

    private static func label(_ cursor: inout LineCursor, _ label: StaticString) throws(LineSyntaxError) {
        cursor.skipBlanks()
        let rest = UnsafeRawBufferPointer(rebasing: cursor.line[cursor.index...])
        guard rest.hasPrefix(label, ignoringCase: true) else {
            throw cursor.failure("expected '\(label)'")
        }
        cursor.index += label.utf8CodeUnitCount
        cursor.skipBlanks()
    }
}
