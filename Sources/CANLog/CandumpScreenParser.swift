import CANCore

/// Parses what `candump` prints on a terminal, with or without `-t a|d|z|A`, `-x`, `-e`, `-a`:
///
/// ```
///   can0  7E8   [8]  06 59 02 8F 00 C4 00 AA
///  (1700000000.123456)  can0  123   [3]  11 22 33
///  (2023-11-19 11:57:59.123456)  can0  123   [3]  11 22 33
///   can0  RX B -  123  [64]  00 11 ...
///   can0  123   [3]  remote request
///   can0  20000080   [8]  00 00 00 00 00 00 00 00   ERRORFRAME
///         bus-error
/// ```
///
/// Timestamps are taken as printed: `-t d` deltas stay deltas, and `-t A` local date-times are read as if
/// they were UTC (the log does not say its time zone). A two-digit length (`[08]`) is how candump marks a
/// CAN FD frame; `B` and `E` in the `-x` columns are its bit-rate-switch and error-state flags. Lines
/// starting with a tab after an error frame are `-e`'s explanation and count as metadata. The `-a` ASCII
/// column is ignored.
public struct CandumpScreenParser: LogLineParser {
    private var interfaces = InterfaceNameCache()
    private var afterErrorFrame = false

    /// Creates a parser.
    public init() {}

    public mutating func parse(line raw: UnsafeRawBufferPointer) throws(LineSyntaxError) -> ParsedLine {
        let line = raw.droppingCarriageReturn
        var cursor = LineCursor(line)
        if afterErrorFrame, cursor.peek() == 0x09 { return .metadata }
        cursor.skipBlanks()
        if cursor.isAtEnd { return .blank }
        afterErrorFrame = false

        var timestamp: Duration?
        if cursor.consume(0x28) {
            timestamp = try Self.timestamp(&cursor)
            try cursor.expect(0x29, "expected ')' after the timestamp")
            try cursor.expectBlanks("expected a space after the timestamp")
        }
        let nameStart = cursor.index
        let name = cursor.token()
        guard name.count <= InterfaceNameCache.maximumLength else {
            throw cursor.failure(at: nameStart, "interface name longer than 15 bytes", code: .syntax)
        }
        let interface = interfaces.name(for: name)
        try cursor.expectBlanks("expected a space after the interface name")

        // `-x`: direction, then the FD flag columns.
        var fdFlags = CANFDFlags()
        if cursor.line.count - cursor.index >= 2,
            UnsafeRawBufferPointer(rebasing: line[cursor.index...]).hasPrefix("RX")
                || UnsafeRawBufferPointer(rebasing: line[cursor.index...]).hasPrefix("TX"),
            cursor.peek(at: 2) == 0x20
        {
            cursor.index += 2
            for _ in 0..<2 {
                cursor.skipBlanks()
                guard let flag = cursor.peek(), flag == 0x2D || flag == 0x42 || flag == 0x45, cursor.peek(at: 1) == 0x20
                else { break }
                if flag == 0x42 { fdFlags.insert(.bitRateSwitch) }
                if flag == 0x45 { fdFlags.insert(.errorStateIndicator) }
                cursor.index += 1
            }
            cursor.skipBlanks()
        }

        let idStart = cursor.index
        let (value, digits) = cursor.hexNumber(maximumDigits: 9)
        guard digits > 0, digits <= 8, cursor.peek() == 0x20 || cursor.peek() == 0x09 else {
            cursor.index = idStart
            throw cursor.failure("expected a CAN id in hex")
        }
        var errorClass: CANErrorClass?
        let id: CANIdentifier
        if digits <= 3 {
            guard let standard = CANIdentifier.standard(value) else {
                throw cursor.failure(at: idStart, "standard CAN id \(Hex.string(value, digits: 3)) is above 7FF")
            }
            id = standard
        } else if value & 0x2000_0000 != 0, value & 0xC000_0000 == 0 {
            errorClass = CANErrorClass(rawValue: value & 0x1FFF_FFFF)
            id = CANIdentifier(value & 0x1FFF_FFFF, format: .extended)!
        } else {
            guard let extended = CANIdentifier.extended(value) else {
                throw cursor.failure(at: idStart, "extended CAN id \(Hex.string(value, digits: 8)) is above 1FFFFFFF")
            }
            id = extended
        }
        cursor.skipBlanks()

        try cursor.expect(0x5B, "expected '[' and the data length")
        let lengthStart = cursor.index
        let (length, lengthDigits) = cursor.decimalNumber()
        guard lengthDigits == 1 || lengthDigits == 2 else {
            throw cursor.failure("expected the data length in digits")
        }
        try cursor.expect(0x5D, "expected ']' after the data length")
        let isFD = lengthDigits == 2
        if isFD {
            guard CANPayload.isValidFDLength(Int(length)) else {
                throw cursor.failure(
                    at: lengthStart, "CAN FD frame with \(length) data bytes (valid: 0-8, 12, 16, 20, 24, 32, 48, 64)")
            }
        } else {
            guard length <= 8 else {
                throw cursor.failure(at: lengthStart, "classic CAN frame with \(length) data bytes")
            }
        }
        // An error frame is a classic frame whatever way its length is written.
        guard errorClass == nil || length <= 8 else {
            throw cursor.failure(at: lengthStart, "error frame with \(length) data bytes (an error frame carries 8)")
        }

        cursor.skipBlanks()
        var data = CANPayload()
        if !isFD, UnsafeRawBufferPointer(rebasing: line[cursor.index...]).hasPrefix("remote request") {
            cursor.index += 14
            try cursor.expectEnd()
            let frame = CANFrame(
                unchecked: id, kind: .remote(requestedLength: UInt8(length)), data: data, timestamp: timestamp,
                interface: interface)
            return .frame(frame)
        }
        for index in 0..<Int(length) {
            if index > 0 {
                if cursor.isAtEnd {
                    throw cursor.failure(
                        at: cursor.index, "[\(length)] announces \(length) data bytes, the line ends after \(index)")
                }
                try cursor.expectBlanks("expected a space between data bytes")
            }
            data.append(try cursor.hexByte("expected a hex digit in the data"))
        }
        cursor.skipBlanks()
        if errorClass != nil {
            if UnsafeRawBufferPointer(rebasing: line[cursor.index...]).hasPrefix("ERRORFRAME") { cursor.index += 10 }
            try cursor.expectEnd()
            afterErrorFrame = true
        } else if cursor.peek() == 0x27 {
            // `-a`: the data again as ASCII between quotes; its content can be anything printable.
            cursor.index = line.count
        } else {
            try cursor.expectEnd()
        }
        let kind: CANFrame.Kind =
            if let errorClass { .error(errorClass) } else if isFD { .fd(fdFlags) } else { .classic }
        return .frame(CANFrame(unchecked: id, kind: kind, data: data, timestamp: timestamp, interface: interface))
    }

    /// `1700000000.123456` or `2023-11-19 11:57:59.123456` (read as UTC).
    private static func timestamp(_ cursor: inout LineCursor) throws(LineSyntaxError) -> Duration {
        let start = cursor.index
        let (year, yearDigits) = cursor.decimalNumber()
        guard yearDigits == 4, cursor.peek() == 0x2D else {
            cursor.index = start
            return try cursor.decimalSeconds("expected a timestamp")
        }
        cursor.index += 1
        func field(_ cursor: inout LineCursor, _ what: String, range: ClosedRange<Int64>) throws(LineSyntaxError)
            -> Int64
        {
            let (value, digits) = cursor.decimalNumber()
            guard digits == 2, range.contains(value) else { throw cursor.failure("expected the \(what) in two digits") }
            return value
        }
        let month = try field(&cursor, "month", range: 1...12)
        try cursor.expect(0x2D, "expected '-' after the month")
        let day = try field(&cursor, "day", range: 1...31)
        try cursor.expect(0x20, "expected a space after the date")
        let hour = try field(&cursor, "hour", range: 0...23)
        try cursor.expect(0x3A, "expected ':' after the hour")
        let minute = try field(&cursor, "minute", range: 0...59)
        try cursor.expect(0x3A, "expected ':' after the minutes")
        let seconds = try cursor.decimalSeconds("expected the seconds")
        let days = daysSinceUnixEpoch(year: year, month: month, day: day)
        return .seconds(days * 86_400 + hour * 3_600 + minute * 60) + seconds
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
    static func daysSinceUnixEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
