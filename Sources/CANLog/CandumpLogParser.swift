import CANCore

/// Parses the candump log format (`candump -l`, `candump -L`, what `canplayer` reads):
/// `(1700000000.123456) can0 7E8#0659028000C400`.
///
/// The frame part follows can-utils' `parse_canframe`: three hex digits for an 11-bit id, eight for a
/// 29-bit id; eight digits with `CAN_ERR_FLAG` (0x20000000) set make an error frame whose class bits are
/// the rest of the id; `#R`, `#R5` (and `#R8_C` with a raw DLC) a remote frame; `##` and a flags nibble a
/// CAN FD frame; data bytes as hex pairs in either case, optionally separated by dots. A raw DLC suffix on
/// a classic frame (`#1122334455667788_C`) is accepted and dropped. Newer candump versions may append a
/// direction (` R`/` T`); it is accepted and dropped.
public struct CandumpLogParser: LogLineParser {
    private var interfaces = InterfaceNameCache()

    /// Creates a parser.
    public init() {}

    public mutating func parse(line raw: UnsafeRawBufferPointer) throws(LineSyntaxError) -> ParsedLine {
        let line = raw.droppingCarriageReturn
        var cursor = LineCursor(line)
        cursor.skipBlanks()
        if cursor.isAtEnd { return .blank }
        try cursor.expect(0x28, "expected '(' and a timestamp")
        let timestamp = try cursor.decimalSeconds("expected a timestamp in seconds")
        try cursor.expect(0x29, "expected ')' after the timestamp")
        try cursor.expectBlanks("expected a space after the timestamp")
        let nameStart = cursor.index
        let name = cursor.token()
        guard !name.isEmpty else { throw cursor.failure("expected an interface name") }
        guard name.count <= InterfaceNameCache.maximumLength else {
            throw cursor.failure(at: nameStart, "interface name longer than 15 bytes", code: .syntax)
        }
        let interface = interfaces.name(for: name)
        try cursor.expectBlanks("expected a space after the interface name")
        var frame = try Self.frame(&cursor)
        frame.timestamp = timestamp
        frame.interface = interface
        // Optional direction written by newer candump versions.
        if cursor.skipBlanks() > 0, let byte = cursor.peek(), byte == 0x52 || byte == 0x54 {
            cursor.index += 1
        }
        try cursor.expectEnd()
        return .frame(frame)
    }

    /// The interface name for `bytes`, from the same cache `parse(line:)` uses.
    mutating func interface(for bytes: UnsafeRawBufferPointer) -> String { interfaces.name(for: bytes) }

    /// The fast path for a frame the reader will not hand out: when `raw` is a well-formed classic data frame
    /// in the plain shape (`(seconds.fraction) name ID#hexpairs`, an optional direction) on an id `selection`
    /// does not contain, its timestamp; otherwise nil, and the line goes through ``parse(line:)``.
    ///
    /// Every line this accepts, ``parse(line:)`` accepts too, as a classic data frame with that id and
    /// timestamp: it uses the same cursor steps and gives up (returns nil) at anything else — dotted or FD
    /// data, remote and error frames, raw DLCs, malformed input — so errors and counts do not change.
    @inline(__always)
    func skim(line raw: UnsafeRawBufferPointer, selection: FrameSelection) -> Duration? {
        let line = raw.droppingCarriageReturn
        var cursor = LineCursor(line)
        cursor.skipBlanks()
        guard cursor.consume(0x28) else { return nil }
        let (seconds, digits) = cursor.decimalNumber()
        guard digits > 0 else { return nil }
        var attoseconds: Int64 = 0
        if cursor.consume(0x2E) {
            let (fraction, fractionDigits) = cursor.decimalNumber()
            guard fractionDigits > 0 else { return nil }
            attoseconds = fraction &* LineCursor.attosecondScale[fractionDigits]
            while let byte = cursor.peek(), byte &- 0x30 < 10 { cursor.index += 1 }
        }
        guard cursor.consume(0x29), cursor.skipBlanks() > 0 else { return nil }
        let name = cursor.token()
        guard !name.isEmpty, name.count <= InterfaceNameCache.maximumLength, cursor.skipBlanks() > 0 else { return nil }
        let (value, idDigits) = cursor.hexNumber(maximumDigits: 9)
        guard cursor.consume(0x23) else { return nil }
        let format: CANIdentifier.Format
        switch idDigits {
        case 3: format = .standard
        case 8:
            guard value & 0xE000_0000 == 0 else { return nil }  // CAN_ERR_FLAG: an error frame
            format = .extended
        default: return nil
        }
        guard let id = CANIdentifier(value, format: format), !selection.contains(id) else { return nil }
        // Data: plain hex pairs, at most eight bytes, then a blank or the end.
        var bytes = 0
        while cursor.index + 1 < line.count {
            let high = LineCursor.hexValue(line[cursor.index])
            let low = LineCursor.hexValue(line[cursor.index + 1])
            guard high != 0xFF, low != 0xFF else { break }
            cursor.index += 2
            bytes += 1
        }
        guard bytes <= 8 else { return nil }
        if cursor.skipBlanks() > 0, let byte = cursor.peek(), byte == 0x52 || byte == 0x54 { cursor.index += 1 }
        cursor.skipBlanks()
        guard cursor.isAtEnd else { return nil }
        return Duration(secondsComponent: seconds, attosecondsComponent: attoseconds)
    }

    /// Parses `ID#DATA` (the part `cansend` takes too) at the cursor.
    static func frame(_ cursor: inout LineCursor) throws(LineSyntaxError) -> CANFrame {
        let idStart = cursor.index
        let (value, digits) = cursor.hexNumber(maximumDigits: 9)
        guard cursor.peek() == 0x23 else {
            if digits == 0 || digits == 9 || cursor.peek().map({ LineCursor.hexValue($0) != 0xFF }) == true {
                cursor.index = idStart
                throw cursor.failure("expected a CAN id of 3 or 8 hex digits")
            }
            throw cursor.failure("expected '#' after the CAN id")
        }
        let id: CANIdentifier
        var errorClass: CANErrorClass?
        switch digits {
        case 3:
            guard let standard = CANIdentifier.standard(value) else {
                throw cursor.failure(at: idStart, "standard CAN id \(Hex.string(value, digits: 3)) is above 7FF")
            }
            id = standard
        case 8:
            if value & 0x2000_0000 != 0 {
                // CAN_ERR_FLAG: an error frame; the rest of the id is the error class bits.
                guard value & 0xC000_0000 == 0 else {
                    throw cursor.failure(
                        at: idStart, "error frame id \(Hex.string(value, digits: 8)) has flag bits set")
                }
                errorClass = CANErrorClass(rawValue: value & 0x1FFF_FFFF)
                id = CANIdentifier(value & 0x1FFF_FFFF, format: .extended)!
            } else {
                guard let extended = CANIdentifier.extended(value) else {
                    throw cursor.failure(
                        at: idStart, "extended CAN id \(Hex.string(value, digits: 8)) is above 1FFFFFFF")
                }
                id = extended
            }
        default:
            cursor.index = idStart
            throw cursor.failure("expected a CAN id of 3 or 8 hex digits")
        }
        cursor.index += 1  // '#'

        var data = CANPayload()
        var kind = CANFrame.Kind.classic
        var maximumLength = 8
        if let byte = cursor.peek(), byte == 0x52 || byte == 0x72 {  // 'R' / 'r': remote frame
            guard errorClass == nil else { throw cursor.failure("expected error frame data, not a remote request") }
            cursor.index += 1
            var requested: UInt8 = 0
            if let digit = cursor.peek(), LineCursor.hexValue(digit) <= 8 {
                requested = LineCursor.hexValue(digit)
                cursor.index += 1
                if requested == 8, cursor.consume(0x5F) {
                    try Self.rawDLC(&cursor, into: &requested)
                }
            }
            return CANFrame(
                unchecked: id, kind: .remote(requestedLength: requested), data: data, timestamp: nil, interface: nil)
        }
        if cursor.consume(0x23) {  // "##": CAN FD
            guard errorClass == nil else { throw cursor.failure("expected error frame data, not CAN FD") }
            guard let byte = cursor.peek(), LineCursor.hexValue(byte) != 0xFF else {
                throw cursor.failure("expected a CAN FD flags digit after '##'")
            }
            cursor.index += 1
            kind = .fd(CANFDFlags(rawValue: LineCursor.hexValue(byte)))
            maximumLength = 64
        }
        // Data: hex pairs, optionally separated by '.'.
        while let byte = cursor.peek(), byte != 0x20, byte != 0x09, byte != 0x5F {
            if byte == 0x2E {
                cursor.index += 1
                continue
            }
            guard data.count < maximumLength else {
                throw cursor.failure(at: cursor.index, "more than \(maximumLength) data bytes")
            }
            data.append(try cursor.hexByte("expected a hex digit in the data"))
        }
        if cursor.consume(0x5F) {  // '_': raw DLC 9-F of a classic 8-byte frame
            guard case .classic = kind, data.count == 8 else {
                throw cursor.failure(at: cursor.index - 1, "a raw DLC ('_') is allowed only after 8 classic data bytes")
            }
            var ignored: UInt8 = 8
            try Self.rawDLC(&cursor, into: &ignored)
        }
        if let errorClass { kind = .error(errorClass) }
        if case .fd = kind, !CANPayload.isValidFDLength(data.count) {
            throw cursor.failure(
                at: idStart, "CAN FD frame with \(data.count) data bytes (valid: 0-8, 12, 16, 20, 24, 32, 48, 64)")
        }
        return CANFrame(unchecked: id, kind: kind, data: data, timestamp: nil, interface: nil)
    }

    private static func rawDLC(_ cursor: inout LineCursor, into dlc: inout UInt8) throws(LineSyntaxError) {
        guard let byte = cursor.peek(), case let value = LineCursor.hexValue(byte), value >= 9, value <= 15 else {
            throw cursor.failure("expected a raw DLC digit 9-F after '_'")
        }
        cursor.index += 1
        dlc = value
    }
}
