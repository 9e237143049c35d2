import CANCore

/// Parses Vector ASC logs (CANalyzer/CANoe, python-can's `ASCWriter`):
///
/// ```
/// date Sun Nov 19 11:57:59.123 am 2023
/// base hex  timestamps absolute
/// internal events logged
/// Begin Triggerblock Sun Nov 19 11:57:59.123 am 2023
///    0.000000 Start of measurement
///    0.015000 1  7E0             Tx   d 8 02 19 02 00 00 00 00 00
///    0.021000 1  18DAF1C7x       Rx   d 3 59 02 FF
///    0.030000 1  123             Rx   r 8
///    0.040000 1  ErrorFrame
///    0.050000 CANFD   1 Rx        7E8  1 0 d 32 <32 data bytes> ...
/// End TriggerBlock
/// ```
///
/// The `base` line sets the number base of ids and data (hex or dec) and whether timestamps are absolute
/// (time since the start of measurement) or relative (since the previous event); relative times are summed.
/// The channel number becomes the interface name `ch<N>`. An `x` after the id marks a 29-bit id.
/// Events that are not frames (statistics, status, start of measurement) count as metadata. Error frames
/// carry no class bits in ASC, so they become error frames with an empty class set and no data.
public struct VectorASCParser: LogLineParser {
    private var decimal = false
    private var relativeTimestamps = false
    private var lastTimestamp = Duration.zero
    private var channelNames: [Int64: String] = [:]

    /// Creates a parser (hex numbers and absolute timestamps until a `base` line says otherwise).
    public init() {}

    public mutating func parse(line raw: UnsafeRawBufferPointer) throws(LineSyntaxError) -> ParsedLine {
        let line = raw.droppingCarriageReturn
        var cursor = LineCursor(line)
        cursor.skipBlanks()
        guard let first = cursor.peek() else { return .blank }
        guard first &- 0x30 < 10 else { return try header(line, cursor: cursor) }

        var timestamp = try cursor.decimalSeconds("expected a timestamp")
        if relativeTimestamps { timestamp = lastTimestamp + timestamp }
        lastTimestamp = timestamp
        guard cursor.skipBlanks() > 0 else { throw cursor.failure("expected a space after the timestamp") }
        let channelToken = cursor.token()
        var channelCursor = LineCursor(channelToken)
        let (channel, channelDigits) = channelCursor.decimalNumber()
        cursor.skipBlanks()
        if channelDigits > 0, channelCursor.isAtEnd {
            return try classicEvent(&cursor, channel: channel, timestamp: timestamp)
        }
        if channelToken.equals("CANFD") {
            return try fdEvent(&cursor, timestamp: timestamp)
        }
        return .metadata  // "Start of measurement", "CAN 1 Status:...", trigger events...
    }

    private mutating func header(_ line: UnsafeRawBufferPointer, cursor: LineCursor) throws(LineSyntaxError) -> ParsedLine {
        let rest = UnsafeRawBufferPointer(rebasing: line[cursor.index...])
        if rest.hasPrefix("base ", ignoringCase: true) {
            var fields = LineCursor(rest)
            _ = fields.token()
            fields.skipBlanks()
            let base = fields.token()
            if base.equals("dec", ignoringCase: true) {
                decimal = true
            } else if base.equals("hex", ignoringCase: true) {
                decimal = false
            } else {
                fields.index -= base.count
                var failure = fields.failure("expected 'hex' or 'dec' after 'base'")
                failure.column += cursor.index
                throw failure
            }
            fields.skipBlanks()
            if fields.token().equals("timestamps", ignoringCase: true) {
                fields.skipBlanks()
                relativeTimestamps = fields.token().equals("relative", ignoringCase: true)
            }
            return .metadata
        }
        let keywords: [StaticString] = [
            "date ", "internal events logged", "no internal events logged", "//", "begin triggerblock",
            "end triggerblock", "begin ", "end ",
        ]
        for keyword in keywords where rest.hasPrefix(keyword, ignoringCase: true) { return .metadata }
        throw cursor.failure("expected an ASC header or an event line starting with a timestamp")
    }

    private mutating func interface(channel: Int64) -> String {
        if let name = channelNames[channel] { return name }
        let name = "ch\(channel)"
        if channelNames.count < 64 { channelNames[channel] = name }
        return name
    }

    /// `<id>[x] <Rx|Tx> d <dlc> <data...>`, `<id>[x] <dir> r [<dlc>]` or `ErrorFrame`.
    private mutating func classicEvent(
        _ cursor: inout LineCursor, channel: Int64, timestamp: Duration
    ) throws(LineSyntaxError) -> ParsedLine {
        let interface = interface(channel: channel)
        let rest = UnsafeRawBufferPointer(rebasing: cursor.line[cursor.index...])
        if rest.hasPrefix("ErrorFrame", ignoringCase: true) || rest.hasPrefix("Error Frame", ignoringCase: true) {
            let frame = CANFrame(
                unchecked: CANIdentifier(0, format: .extended)!, kind: .error(CANErrorClass()), data: CANPayload(),
                timestamp: timestamp, interface: interface)
            return .frame(frame)
        }
        let idStart = cursor.index
        guard let id = identifier(&cursor) else { return .metadata }  // a status or statistics event
        cursor.skipBlanks()
        guard Self.isDirection(cursor.token()) else {
            cursor.index = idStart
            return .metadata
        }
        cursor.skipBlanks()
        let type = cursor.token()
        if type.equals("r", ignoringCase: true) {
            cursor.skipBlanks()
            var requested: UInt8 = 0
            if !cursor.isAtEnd {
                let length = try number(&cursor, "expected the requested length of the remote frame", maximum: 15)
                requested = UInt8(length)
            }
            let frame = CANFrame(
                unchecked: id, kind: .remote(requestedLength: requested), data: CANPayload(), timestamp: timestamp,
                interface: interface)
            return .frame(frame)
        }
        guard type.equals("d", ignoringCase: true) else {
            cursor.index -= type.count
            throw cursor.failure("expected 'd' (data) or 'r' (remote)")
        }
        try cursor.expectBlanks("expected a space after 'd'")
        let dlcStart = cursor.index
        let dlc = try number(&cursor, "expected the data length code", maximum: 15)
        let length = min(Int(dlc), 8)  // a classic DLC of 9-15 still means 8 bytes
        guard dlc <= 15 else { throw cursor.failure(at: dlcStart, "DLC \(dlc) is above 15") }
        var data = CANPayload()
        for _ in 0..<length {
            try cursor.expectBlanks("expected a space before the next data byte")
            data.append(UInt8(try number(&cursor, "expected a data byte", maximum: 255)))
        }
        // Anything after the data (Length = ..., BitCount = ..., ID = ...) is informational.
        return .frame(CANFrame(unchecked: id, kind: .classic, data: data, timestamp: timestamp, interface: interface))
    }

    /// `<channel> <dir> <id>[x] [<symbolic name>] <brs> <esi> <dlc> <data length> <data...> ...`.
    private mutating func fdEvent(_ cursor: inout LineCursor, timestamp: Duration) throws(LineSyntaxError) -> ParsedLine {
        let (channel, digits) = cursor.decimalNumber()
        guard digits > 0 else { throw cursor.failure("expected a channel number after 'CANFD'") }
        let interface = interface(channel: channel)
        try cursor.expectBlanks("expected a space after the channel")
        guard Self.isDirection(cursor.token()) else { return .metadata }
        cursor.skipBlanks()
        let rest = UnsafeRawBufferPointer(rebasing: cursor.line[cursor.index...])
        if rest.hasPrefix("ErrorFrame", ignoringCase: true) {
            let frame = CANFrame(
                unchecked: CANIdentifier(0, format: .extended)!, kind: .error(CANErrorClass()), data: CANPayload(),
                timestamp: timestamp, interface: interface)
            return .frame(frame)
        }
        guard let id = identifier(&cursor) else { throw cursor.failure("expected a CAN id") }
        try cursor.expectBlanks("expected a space after the CAN id")
        // An optional symbolic name sits before the one-digit BRS flag.
        let save = cursor.index
        let maybeName = cursor.token()
        if !(maybeName.count == 1 && (maybeName[0] == 0x30 || maybeName[0] == 0x31)) {
            cursor.skipBlanks()
        } else {
            cursor.index = save
        }
        var flags = CANFDFlags()
        let brs = cursor.token()
        guard brs.count == 1, brs[0] == 0x30 || brs[0] == 0x31 else {
            cursor.index -= brs.count
            throw cursor.failure("expected the BRS flag (0 or 1)")
        }
        if brs[0] == 0x31 { flags.insert(.bitRateSwitch) }
        cursor.skipBlanks()
        let esi = cursor.token()
        guard esi.count == 1, esi[0] == 0x30 || esi[0] == 0x31 else {
            cursor.index -= esi.count
            throw cursor.failure("expected the ESI flag (0 or 1)")
        }
        if esi[0] == 0x31 { flags.insert(.errorStateIndicator) }
        try cursor.expectBlanks("expected a space after the ESI flag")
        let (_, dlcDigits) = cursor.hexNumber(maximumDigits: 1)
        guard dlcDigits == 1 else { throw cursor.failure("expected the data length code (one hex digit)") }
        try cursor.expectBlanks("expected a space after the DLC")
        let lengthStart = cursor.index
        let (length, lengthDigits) = cursor.decimalNumber()
        guard lengthDigits > 0 else { throw cursor.failure("expected the data length in bytes") }
        guard CANPayload.isValidFDLength(Int(length)) else {
            throw cursor.failure(at: lengthStart, "CAN FD frame with \(length) data bytes (valid: 0-8, 12, 16, 20, 24, 32, 48, 64)")
        }
        var data = CANPayload()
        for _ in 0..<Int(length) {
            try cursor.expectBlanks("expected a space before the next data byte")
            data.append(UInt8(try number(&cursor, "expected a data byte", maximum: 255)))
        }
        return .frame(CANFrame(unchecked: id, kind: .fd(flags), data: data, timestamp: timestamp, interface: interface))
    }

    /// An id in the file's base, `x` suffix for 29 bits; nil (cursor unmoved) when the token is not one.
    private func identifier(_ cursor: inout LineCursor) -> CANIdentifier? {
        let start = cursor.index
        var value: UInt32 = 0
        var digits = 0
        if decimal {
            let (number, count) = cursor.decimalNumber()
            guard number <= 0x1FFF_FFFF else {
                cursor.index = start
                return nil
            }
            (value, digits) = (UInt32(number), count)
        } else {
            (value, digits) = cursor.hexNumber(maximumDigits: 8)
        }
        var format = CANIdentifier.Format.standard
        if let byte = cursor.peek(), byte == 0x78 || byte == 0x58 {
            format = .extended
            cursor.index += 1
        }
        guard digits > 0, cursor.isAtEnd || cursor.peek() == 0x20 || cursor.peek() == 0x09,
            let id = CANIdentifier(value, format: format)
        else {
            cursor.index = start
            return nil
        }
        return id
    }

    private func number(_ cursor: inout LineCursor, _ expected: String, maximum: Int64) throws(LineSyntaxError) -> Int64 {
        let start = cursor.index
        let value: Int64
        let digits: Int
        if decimal {
            (value, digits) = cursor.decimalNumber()
        } else {
            let (hex, count) = cursor.hexNumber(maximumDigits: 8)
            (value, digits) = (Int64(hex), count)
        }
        guard digits > 0, cursor.isAtEnd || cursor.peek() == 0x20 || cursor.peek() == 0x09 else {
            throw cursor.failure(expected)
        }
        guard value <= maximum else { throw cursor.failure(at: start, "\(value) is above \(maximum)") }
        return value
    }

    private static func isDirection(_ token: UnsafeRawBufferPointer) -> Bool {
        token.equals("Rx", ignoringCase: true) || token.equals("Tx", ignoringCase: true)
            || token.equals("TxRq", ignoringCase: true)
    }
}
