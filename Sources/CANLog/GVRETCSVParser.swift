import CANCore

/// Parses the CSV that SavvyCAN and GVRET firmware write:
///
/// ```
/// Time Stamp,ID,Extended,Dir,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8
/// 7254438300,000007DF,false,Rx,1,8,02,01,00,00,00,00,00,00,
/// ```
///
/// The header names the columns, so files with and without `Dir`, and with a trailing comma, all read.
/// Timestamps are microseconds (zero is allowed: some tools write no time). Ids are hex, with or without
/// `0x`. The bus number becomes the interface name `bus<N>`. A length above 8 makes a CAN FD frame.
public struct GVRETCSVParser: LogLineParser {
    private struct Columns {
        var timestamp = -1
        var id = -1
        var extended = -1
        var bus = -1
        var length = -1
        var firstData = -1
    }

    private var columns: Columns?
    private var busNames: [Int64: String] = [:]
    /// The bus of the line before and its name: most lines are on the same bus as the one before.
    private var lastBus: (number: Int64, name: String)?

    /// Creates a parser; the first non-blank line must be the header.
    public init() {}

    public mutating func parse(line raw: UnsafeRawBufferPointer) throws(LineSyntaxError) -> ParsedLine {
        let line = raw.droppingCarriageReturn
        var cursor = LineCursor(line)
        cursor.skipBlanks()
        if cursor.isAtEnd { return .blank }
        if line.hasPrefix("Time Stamp,", ignoringCase: true) {
            columns = try Self.header(line)
            return .metadata
        }
        guard let columns else {
            throw cursor.failure("expected the CSV header 'Time Stamp,ID,Extended,Bus,LEN,D1,...'")
        }
        var timestamp = Duration.zero
        var idValue: UInt32 = 0
        var extended = false
        var bus: Int64 = -1
        var length = -1
        var data = CANPayload()
        var column = 0
        cursor.index = 0
        while true {
            let fieldStart = cursor.index
            let field = cursor.field(until: 0x2C)
            var fieldCursor = LineCursor(field)
            func fail(_ expected: String) -> LineSyntaxError {
                var located = fieldCursor.failure(expected)
                located.column += fieldStart
                return located
            }
            switch column {
            case columns.timestamp:
                let (microseconds, digits) = fieldCursor.decimalNumber()
                guard digits > 0 else { throw fail("expected a timestamp in microseconds") }
                guard fieldCursor.isAtEnd else { throw fail("expected a timestamp in microseconds") }
                timestamp = .microseconds(microseconds)
            case columns.id:
                if field.hasPrefix("0x", ignoringCase: true) { fieldCursor.index = 2 }
                let (value, digits) = fieldCursor.hexNumber(maximumDigits: 8)
                guard digits > 0, fieldCursor.isAtEnd else { throw fail("expected a hex CAN id") }
                idValue = value
            case columns.extended:
                if field.equals("true", ignoringCase: true) || field.equals("1") {
                    extended = true
                } else if field.equals("false", ignoringCase: true) || field.equals("0") {
                    extended = false
                } else {
                    throw fail("expected 'true' or 'false'")
                }
            case columns.bus:
                let (value, digits) = fieldCursor.decimalNumber()
                guard digits > 0, fieldCursor.isAtEnd else { throw fail("expected a bus number") }
                bus = value
            case columns.length:
                let (value, digits) = fieldCursor.decimalNumber()
                guard digits > 0, fieldCursor.isAtEnd, value <= 64 else { throw fail("expected a data length 0-64") }
                length = Int(value)
            default:
                if column >= columns.firstData, columns.firstData >= 0, data.count < max(length, 0) {
                    let (value, digits) = fieldCursor.hexNumber(maximumDigits: 2)
                    guard digits > 0, fieldCursor.isAtEnd else { throw fail("expected a hex data byte") }
                    data.append(UInt8(value))
                }
            }
            column += 1
            if cursor.isAtEnd { break }
            cursor.index += 1  // ','
        }
        guard length >= 0 else { throw cursor.failure("expected a LEN column") }
        guard data.count == length else {
            throw cursor.failure(
                at: cursor.index, "expected \(length) data bytes, found only \(data.count)", code: .syntax)
        }
        guard let id = CANIdentifier(idValue, format: extended ? .extended : .standard) else {
            throw LineSyntaxError(
                .invalidFrame, column: 1,
                "\(extended ? "extended" : "standard") CAN id \(Hex.string(idValue, digits: 3)) is out of range")
        }
        var kind = CANFrame.Kind.classic
        if length > 8 {
            guard CANPayload.isValidFDLength(length) else {
                throw LineSyntaxError(
                    .invalidFrame, column: 1,
                    "CAN FD frame with \(length) data bytes (valid: 0-8, 12, 16, 20, 24, 32, 48, 64)")
            }
            kind = .fd([])
        }
        var interface: String?
        if bus >= 0 {
            if let lastBus, lastBus.number == bus {
                interface = lastBus.name
            } else if let known = busNames[bus] {
                lastBus = (bus, known)
                interface = known
            } else {
                let name = "bus\(bus)"
                if busNames.count < 64 {
                    busNames[bus] = name
                    lastBus = (bus, name)
                }
                interface = name
            }
        }
        return .frame(CANFrame(unchecked: id, kind: kind, data: data, timestamp: timestamp, interface: interface))
    }

    /// The timestamp of `line` when it is a data frame on an id `selection` leaves out and ``parse(line:)`` would
    /// read it without an error; nil otherwise (the line is then parsed). It reads each field as `parse` does,
    /// but makes no frame, payload or interface name: most lines of a log are only counted. Only for files
    /// whose first column is the timestamp (GVRET's and SavvyCAN's).
    @inline(__always)
    func skim(line raw: UnsafeRawBufferPointer, selection: FrameSelection) -> Duration? {
        guard let columns, columns.timestamp == 0 else { return nil }
        let line = raw.droppingCarriageReturn
        let count = line.count
        var microseconds: Int64 = 0
        var idValue: UInt32 = 0
        var extended = false
        var length = -1
        var dataBytes = 0
        var column = 0
        var index = 0
        while true {
            let start = index
            while index < count, line[index] != 0x2C { index += 1 }
            let fieldLength = index - start
            switch column {
            case columns.timestamp:
                guard fieldLength > 0, fieldLength <= 18 else { return nil }
                for offset in start..<index {
                    let digit = line[offset] &- 0x30
                    guard digit < 10 else { return nil }
                    microseconds = microseconds &* 10 &+ Int64(digit)
                }
            case columns.id:
                var first = start
                if fieldLength >= 2, line[start] == 0x30, line[start + 1] | 0x20 == 0x78 { first += 2 }  // 0x
                guard index > first, index - first <= 8 else { return nil }
                for offset in first..<index {
                    let nibble = LineCursor.hexValue(line[offset])
                    guard nibble != 0xFF else { return nil }
                    idValue = idValue << 4 | UInt32(nibble)
                }
            case columns.extended:
                let field = UnsafeRawBufferPointer(rebasing: line[start..<index])
                if field.equals("false", ignoringCase: true) || field.equals("0") {
                    extended = false
                } else if field.equals("true", ignoringCase: true) || field.equals("1") {
                    extended = true
                } else {
                    return nil
                }
            case columns.bus:
                guard fieldLength > 0, fieldLength <= 18 else { return nil }
                for offset in start..<index where line[offset] &- 0x30 >= 10 { return nil }
            case columns.length:
                guard fieldLength > 0, fieldLength <= 18 else { return nil }
                var value = 0
                for offset in start..<index {
                    let digit = line[offset] &- 0x30
                    guard digit < 10 else { return nil }
                    value = value &* 10 &+ Int(digit)
                    if value > 64 { return nil }
                }
                length = value
            default:
                if column >= columns.firstData, columns.firstData >= 0, dataBytes < max(length, 0) {
                    guard fieldLength == 1 || fieldLength == 2, LineCursor.hexValue(line[start]) != 0xFF,
                        fieldLength == 1 || LineCursor.hexValue(line[start + 1]) != 0xFF
                    else { return nil }
                    dataBytes += 1
                }
            }
            column += 1
            if index >= count { break }
            index += 1  // ','
        }
        guard length >= 0, dataBytes == length, length <= 8 || CANPayload.isValidFDLength(length) else { return nil }
        guard extended ? idValue <= 0x1FFF_FFFF : idValue <= 0x7FF else { return nil }
        if extended ? selection.containsExtended(idValue) : selection.containsStandard(idValue) { return nil }
        return .microseconds(microseconds)
    }

    /// The layout of `line`, a line ``skim(line:selection:)`` has just passed over, for ``GVRETLineSkimmer``; nil
    /// when the line is longer than a shape describes.
    func skimShape(of line: UnsafeRawBufferPointer) -> GVRETLineSkimmer.Shape? {
        guard let columns, columns.timestamp == 0, line.count <= GVRETLineSkimmer.maximumLength else { return nil }
        var shape = GVRETLineSkimmer.Shape(length: line.count)
        func mark(_ places: Range<Int>, in bits: inout UInt64) {
            for place in places { bits |= 1 << UInt64(place) }
        }
        var dataLength = 0
        var column = 0
        var index = 0
        while true {
            let start = index
            while index < line.count, line[index] != 0x2C { index += 1 }
            switch column {
            case columns.timestamp:
                mark(start..<index, in: &shape.decimal)
                shape.stampDigits = index - start
            case columns.id:
                let field = UnsafeRawBufferPointer(rebasing: line[start..<index])
                shape.idStart = field.hasPrefix("0x", ignoringCase: true) ? start + 2 : start
                shape.idDigits = index - shape.idStart
                mark(shape.idStart..<index, in: &shape.hex)
            case columns.extended:
                let field = UnsafeRawBufferPointer(rebasing: line[start..<index])
                shape.isExtended = field.equals("true", ignoringCase: true) || field.equals("1")
            case columns.bus:
                mark(start..<index, in: &shape.decimal)
            case columns.length:
                for offset in start..<index { dataLength = dataLength * 10 + Int(line[offset] - 0x30) }
            default:
                if columns.firstData >= 0, column >= columns.firstData, column - columns.firstData < dataLength {
                    mark(start..<index, in: &shape.hex)
                }
            }
            column += 1
            if index >= line.count { break }
            index += 1  // ','
        }
        let variable = shape.decimal | shape.hex
        for place in 0..<line.count {
            shape.bytes[place / 8] |= UInt64(line[place]) << UInt64(8 * (place % 8))
            if variable & (1 << UInt64(place)) == 0 { shape.fixed[place / 8] |= 0xFF << UInt64(8 * (place % 8)) }
        }
        return shape
    }

    private static func header(_ line: UnsafeRawBufferPointer) throws(LineSyntaxError) -> Columns {
        var columns = Columns()
        var cursor = LineCursor(line)
        var column = 0
        while true {
            let field = cursor.field(until: 0x2C)
            if field.equals("Time Stamp", ignoringCase: true) {
                columns.timestamp = column
            } else if field.equals("ID", ignoringCase: true) {
                columns.id = column
            } else if field.equals("Extended", ignoringCase: true) {
                columns.extended = column
            } else if field.equals("Bus", ignoringCase: true) {
                columns.bus = column
            } else if field.equals("LEN", ignoringCase: true) {
                columns.length = column
            } else if field.equals("D1", ignoringCase: true) {
                columns.firstData = column
            }
            column += 1
            if cursor.isAtEnd { break }
            cursor.index += 1
        }
        guard columns.id >= 0, columns.length >= 0, columns.firstData > columns.length else {
            throw LineSyntaxError(.syntax, column: 1, "expected a CSV header with ID, LEN and D1 columns")
        }
        return columns
    }
}
