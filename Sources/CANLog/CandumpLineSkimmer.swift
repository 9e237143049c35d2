import CANCore
import CByteScan

/// The reader's fast path over a buffer of candump log lines: it walks line after line in the one common
/// shape, `(seconds.fraction) name ID#hexpairs` followed directly by `\n`, and counts each line whose id the
/// selection leaves out, without making a frame, a string or a cursor.
///
/// It stops at the first line it cannot settle (any other shape, a selected id, a line it cannot see the end
/// of within the bytes given) and leaves that line to the reader's general path: ``CandumpLogParser/skim(line:selection:)``
/// and then ``CandumpLogParser/parse(line:)``. So it only needs to be right about the lines it accepts, and
/// it accepts a subset of what `skim` accepts — a single space between fields, no tab, no carriage return,
/// no direction letter, at most 18 digits in either part of the timestamp — reading each the same way: the
/// same id, the same timestamp. Those lines are almost all lines of a real log.
///
/// A line with the shape of the line before (``Shape``) is checked against the digit and hex-digit classes of
/// its first 48 bytes, found 16 at a time (`CByteScan`), and its timestamp compared with the one before as
/// bytes. Any other line is read eight bytes at a time (digits, hex digits and the end of the name found with
/// bit masks, a timestamp converted without a loop per digit). Every read is a plain load from a pointer: what
/// it reads of a line is bounded (48 bytes of classes; a 24-byte look at each part of the timestamp, 16 bytes
/// of name, 8 of id, 16 of data: under 82 bytes), so lines are only started while 96 bytes remain, and no byte
/// is checked against the end.
struct CandumpLineSkimmer {
    /// The bytes a line in the fast shape can span before its `\n` is found, with room to spare.
    static let window = 96

    /// What one run over a buffer found.
    struct Run {
        /// Bytes of whole lines consumed, newlines included.
        var consumed = 0
        /// Lines consumed, every one a frame passed over.
        var lines = 0
        /// The timestamp of the last line consumed, as seconds and attoseconds.
        var latest: (seconds: Int64, attoseconds: Int64)?
        /// Lines whose timestamp was earlier than the line before (the first compared with `previous`).
        var regressions = 0
        /// Whether the run stopped at a line in the fast shape whose id the selection contains: `skim` would
        /// refuse it too, so the reader parses it at once.
        var stoppedAtSelectedLine = false
    }

    let selection: FrameSelection
    let maximumLineLength: Int

    /// Consumes lines from the start of `bytes` while they are in the fast shape and passed over.
    /// `previous` is the timestamp of the frame before the first line, for counting regressions.
    ///
    /// Most lines of a log have the shape of the line before them: the same number of digits on each side of
    /// the timestamp's point and the same interface name. Such a line is checked against that shape (``Shape``),
    /// and its timestamp compared with the previous one as bytes, without converting it. The first line of a
    /// run, and a line of another shape, go through ``line(at:selection:maximumLineLength:)``, which reads
    /// every field (and sets the shape again). `shape` is the reader's, kept from one run to the next.
    func run(over bytes: UnsafeRawBufferPointer, previous: Duration?, shape lastShape: inout Shape) -> Run {
        var run = Run()
        // A local copy: the optimiser keeps it in place, where it copied the `inout` shape for every line.
        var shape = lastShape
        defer { lastShape = shape }
        guard let start = bytes.baseAddress, bytes.count >= Self.window else { return run }
        let base = start.assumingMemoryBound(to: UInt8.self)
        let limit = bytes.count - Self.window
        var lineStart = 0
        var lines = 0
        var regressions = 0
        /// The previous line's timestamp in the shape's byte order (valid after the first line).
        var previousKey = Shape.Key(high: 0, middle: 0, low: 0)
        /// The previous line's timestamp as numbers, when known without reading its line again.
        var previousStamp: Stamp?
        var previousLine: UnsafePointer<UInt8>?
        while lineStart <= limit {
            let line = base + lineStart
            // The first line of a run is read field by field: its timestamp is compared with `previous`.
            if previousLine != nil, let (key, length) = shape.accepts(line, self) {
                if length == 0 {
                    run.stoppedAtSelectedLine = true
                    break
                }
                if key < previousKey { regressions += 1 }
                previousKey = key
                previousStamp = nil
                previousLine = line
                lines += 1
                lineStart += length
                continue
            }
            guard let parsed = Self.line(at: line, selection: selection, maximumLineLength: maximumLineLength)
            else { break }
            if parsed.isSelected {
                run.stoppedAtSelectedLine = true
                break
            }
            // Compared as numbers with the line before, whose numbers are read again if need be.
            let earlier =
                previousStamp
                ?? previousLine.flatMap { Self.line(at: $0, selection: nil, maximumLineLength: .max)?.stamp }
            if let earlier {
                if parsed.stamp < earlier { regressions += 1 }
            } else if let previous,
                Duration(secondsComponent: parsed.stamp.seconds, attosecondsComponent: parsed.stamp.attoseconds)
                    < previous
            {
                regressions += 1
            }
            if !shape.fits(parsed, line) { shape = Shape(parsed, line: line) }
            previousKey = shape.key(line)
            previousStamp = parsed.stamp
            previousLine = line
            lines += 1
            lineStart += parsed.length
        }
        run.consumed = lineStart
        run.lines = lines
        run.regressions = regressions
        if let previousLine {
            run.latest = previousStamp ?? Self.line(at: previousLine, selection: nil, maximumLineLength: .max)?.stamp
        }
        return run
    }

    /// A timestamp as seconds and attoseconds; candump timestamps are never negative, so their components
    /// order the same way the durations do.
    typealias Stamp = (seconds: Int64, attoseconds: Int64)

    /// One line read field by field.
    struct Line {
        var stamp: Stamp
        var secondsDigits: Int
        var fractionDigits: Int
        var nameLength: Int
        /// Bytes of the line, its newline included.
        var length: Int
        var isSelected: Bool
    }

    /// Reads the line at `line` when it is in the fast shape (a selected id stops reading after the id, with
    /// `length` 0); nil when it is not. A nil selection selects no id.
    static func line(at line: UnsafePointer<UInt8>, selection: FrameSelection?, maximumLineLength: Int) -> Line? {
        guard line[0] == 0x28 else { return nil }  // '('
        // Seconds: 1-18 digits, then '.'; fraction: 1-18 digits, then ") ".
        let (seconds, secondsDigits) = decimalRun(line + 1)
        guard secondsDigits > 0, secondsDigits <= 18, line[1 + secondsDigits] == 0x2E else { return nil }
        let fractionStart = 2 + secondsDigits
        let (fraction, fractionDigits) = decimalRun(line + fractionStart)
        var index = fractionStart + fractionDigits
        guard fractionDigits > 0, fractionDigits <= 18, line[index] == 0x29, line[index + 1] == 0x20 else { return nil }
        index += 2
        // Interface name: 1-15 bytes above 0x20, then one space.
        var nameLength = leadingCount(controlOrSpaceMask(word(line + index)))
        if nameLength == 8 { nameLength += leadingCount(controlOrSpaceMask(word(line + index + 8))) }
        guard nameLength > 0, nameLength <= InterfaceNameCache.maximumLength, line[index + nameLength] == 0x20
        else { return nil }
        index += nameLength + 1
        var parsed = Line(
            stamp: (seconds, fraction &* attosecondScale(fractionDigits)), secondsDigits: secondsDigits,
            fractionDigits: fractionDigits, nameLength: nameLength, length: 0, isSelected: false)
        guard let length = idAndData(line, from: index, selection: selection, maximumLineLength: maximumLineLength)
        else { return nil }
        if length == 0 {
            parsed.isSelected = true
        } else {
            parsed.length = length
        }
        return parsed
    }

    /// Reads `ID#hexpairs\n` at `index`: the length of the line, newline included; 0 when the selection
    /// contains the id; nil when the rest is not in the fast shape.
    @inline(__always)
    static func idAndData(
        _ line: UnsafePointer<UInt8>, from start: Int, selection: FrameSelection?, maximumLineLength: Int
    ) -> Int? {
        var index = start
        // Id: 3 hex digits (at most 7FF) or 8 (no flag bits), then '#'.
        let idWord = word(line + index)
        let idDigits = leadingCount(~hexMask(idWord) & highBits)
        guard line[index + idDigits] == 0x23 else { return nil }  // '#'
        if idDigits == 3 {
            let value = hexValue3(idWord)
            guard value <= 0x7FF else { return nil }
            if let selection, selection.containsStandard(value) { return 0 }
        } else if idDigits == 8 {
            let value = hexValue(idWord, digits: 8)
            guard value & 0xE000_0000 == 0 else { return nil }  // CAN_ERR_FLAG and above: not a data frame
            if let selection, selection.containsExtended(value) { return 0 }
        } else {
            return nil
        }
        index += idDigits + 1
        // Data: an even number of hex digits, at most 16, then '\n'.
        var dataDigits = leadingCount(~hexMask(word(line + index)) & highBits)
        if dataDigits == 8 { dataDigits += leadingCount(~hexMask(word(line + index + 8)) & highBits) }
        index += dataDigits
        guard dataDigits & 1 == 0, line[index] == 0x0A, index <= maximumLineLength else { return nil }
        return index + 1
    }

    /// A line in the fast shape whose id is selected, read into a frame's parts: what the general parser makes of
    /// it, without its cursor. `line` must have ``window`` bytes readable; nil when the line is not in the shape.
    static func selectedFrame(at line: UnsafePointer<UInt8>, maximumLineLength: Int) -> SelectedFrame? {
        guard let parsed = Self.line(at: line, selection: nil, maximumLineLength: maximumLineLength) else { return nil }
        let nameStart = parsed.secondsDigits + parsed.fractionDigits + 4
        let idStart = nameStart + parsed.nameLength + 1
        let idWord = word(line + idStart)
        let idDigits = line[idStart + 3] == 0x23 ? 3 : 8
        let id: CANIdentifier? =
            idDigits == 3 ? .standard(hexValue3(idWord)) : .extended(hexValue(idWord, digits: 8))
        guard let id else { return nil }
        var data = CANPayload()
        var index = idStart + idDigits + 1
        while line[index] != 0x0A {
            _ = data.append(LineCursor.hexValue(line[index]) << 4 | LineCursor.hexValue(line[index + 1]))
            index += 2
        }
        let timestamp = Duration(secondsComponent: parsed.stamp.seconds, attosecondsComponent: parsed.stamp.attoseconds)
        return SelectedFrame(
            id: id, data: data, timestamp: timestamp,
            name: UnsafeRawBufferPointer(start: line + nameStart, count: parsed.nameLength), length: parsed.length)
    }

    /// The parts of a selected line's frame (see ``selectedFrame(at:maximumLineLength:)``).
    struct SelectedFrame {
        var id: CANIdentifier
        var data: CANPayload
        var timestamp: Duration
        /// The interface name's bytes, in the line.
        var name: UnsafeRawBufferPointer
        /// Bytes of the line, its newline included.
        var length: Int
    }

    /// The timestamp and name of a line, as the 24 bytes after its `(` and the name's 8 bytes, checked at once.
    /// Made from a line read field by field; only for timestamps of up to 21 bytes (`)` and space included,
    /// 24 in all) and names of up to 7.
    struct Shape {
        /// The timestamp's digits and point, in an order that compares like the timestamps.
        struct Key: Comparable {
            var high: UInt64
            var middle: UInt64
            var low: UInt64

            static func < (left: Key, right: Key) -> Bool {
                (left.high, left.middle, left.low) < (right.high, right.middle, right.low)
            }
        }

        /// Bit n: the line's byte n, among the 48 bytes classified at once (see `CByteScan`). `stampBytes` holds
        /// the timestamp's digits and point, `stampDigits` its digits alone.
        var stampBytes: UInt64
        var stampDigits: UInt64
        /// Where the timestamp's point and closing parenthesis are.
        var point: Int
        var close: Int
        /// Per word of the 24 bytes after the `(`: 0xFF at the timestamp's digits and point.
        var stampPositions: (UInt64, UInt64, UInt64)
        /// Where the name starts, and its bytes and the space after it, with the mask that keeps them.
        var nameStart: Int
        var name: UInt64
        var namePositions: UInt64
        /// Where the id starts.
        var idStart: Int

        /// Fields of the line it was made from, to tell whether another line has the same shape.
        var secondsDigits = 0
        var fractionDigits = 0

        /// A shape no line has: it expects a digit bit its mask clears.
        init() {
            stampBytes = 1
            stampDigits = 2
            point = 0
            close = 0
            stampPositions = (0, 0, 0)
            nameStart = 0
            name = 0
            namePositions = 0
            idStart = 0
        }

        /// The shape of `line`, read as `parsed`; a shape no line has when its timestamp or name is too long.
        init(_ parsed: Line, line: UnsafePointer<UInt8>) {
            self.init()
            let stampLength = parsed.secondsDigits + 1 + parsed.fractionDigits
            guard stampLength + 2 <= 24, parsed.nameLength <= 7 else { return }
            secondsDigits = parsed.secondsDigits
            fractionDigits = parsed.fractionDigits
            point = 1 + parsed.secondsDigits
            close = 1 + stampLength
            stampBytes = ((1 << UInt64(stampLength + 1)) - 1) & ~1
            stampDigits = stampBytes & ~(1 << UInt64(point))
            var stamp: [UInt64] = [0, 0, 0]
            for offset in 0..<stampLength { stamp[offset / 8] |= 0xFF << UInt64(8 * (offset % 8)) }
            stampPositions = (stamp[0], stamp[1], stamp[2])
            nameStart = 1 + stampLength + 2
            namePositions = parsed.nameLength == 7 ? .max : (1 << UInt64(8 * (parsed.nameLength + 1))) - 1
            name = CandumpLineSkimmer.word(line + nameStart) & namePositions
            idStart = nameStart + parsed.nameLength + 1
        }

        /// Whether `line`, read as `parsed`, has this shape.
        func fits(_ parsed: Line, _ line: UnsafePointer<UInt8>) -> Bool {
            parsed.secondsDigits == secondsDigits && parsed.fractionDigits == fractionDigits
                && idStart == nameStart + parsed.nameLength + 1
                && CandumpLineSkimmer.word(line + nameStart) & namePositions == name
        }

        /// For a line of this shape: its timestamp's key and its length, newline included (0 when the selection
        /// contains its id). nil for a line of another shape or not in the fast shape at all.
        @inline(__always)
        func accepts(_ line: UnsafePointer<UInt8>, _ skimmer: CandumpLineSkimmer) -> (Key, Int)? {
            guard line[0] == 0x28 else { return nil }  // '('
            var hex: UInt64 = 0
            let digits = cardiag_digit_bits48(line, &hex)
            guard digits & stampBytes == stampDigits, line[point] == 0x2E, line[close] == 0x29,
                line[close + 1] == 0x20, CandumpLineSkimmer.word(line + nameStart) & namePositions == name
            else { return nil }
            let key = key(line)
            // A 3-digit id and data read from the bits while they lie within the 48 bytes; the rest word by word.
            if (~(hex >> UInt64(idStart))).trailingZeroBitCount == 3, line[idStart + 3] == 0x23 {
                let value = CandumpLineSkimmer.hexValue3(CandumpLineSkimmer.word(line + idStart))
                guard value <= 0x7FF else { return nil }
                if skimmer.selection.containsStandard(value) { return (key, 0) }
                let dataStart = idStart + 4
                let dataDigits = (~(hex >> UInt64(dataStart))).trailingZeroBitCount
                let end = dataStart + dataDigits
                if end < 48 {
                    guard dataDigits <= 16, dataDigits & 1 == 0, line[end] == 0x0A, end <= skimmer.maximumLineLength
                    else { return nil }
                    return (key, end + 1)
                }
            }
            guard
                let length = CandumpLineSkimmer.idAndData(
                    line, from: idStart, selection: skimmer.selection, maximumLineLength: skimmer.maximumLineLength)
            else { return nil }
            return (key, length)
        }

        /// The timestamp of a line of this shape, as a key.
        @inline(__always)
        func key(_ line: UnsafePointer<UInt8>) -> Key {
            Key(
                high: (CandumpLineSkimmer.word(line + 1) & stampPositions.0).byteSwapped,
                middle: (CandumpLineSkimmer.word(line + 9) & stampPositions.1).byteSwapped,
                low: (CandumpLineSkimmer.word(line + 17) & stampPositions.2).byteSwapped)
        }
    }

    // MARK: Eight bytes at a time

    static let lowBits: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The eight bytes at `pointer`, the first in the lowest byte.
    @inline(__always)
    static func word(_ pointer: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self))
    }

    /// 0x80 in each byte of `word` that lies in `lowest...highest` (both below 0x80), 0 in the others. No sum
    /// crosses a byte: a 7-bit byte plus at most 0x80 stays below 0x100.
    @inline(__always)
    static func mask(_ word: UInt64, _ lowest: UInt8, _ highest: UInt8) -> UInt64 {
        let low7 = word & ~highBits
        let atLeastLowest = low7 &+ lowBits &* UInt64(0x80 - lowest)
        let aboveHighest = low7 &+ lowBits &* UInt64(0x7F - highest)
        return atLeastLowest & ~aboveHighest & ~word & highBits
    }

    /// 0x80 in each byte that is a hex digit (either case).
    @inline(__always)
    static func hexMask(_ word: UInt64) -> UInt64 {
        mask(word, 0x30, 0x39) | mask(word | lowBits &* 0x20, 0x61, 0x66)
    }

    /// The value of the first three bytes of `word`, all hex digits: a digit's low four bits, plus 9 for a letter
    /// (bit 6 set in `A`-`F` and `a`-`f`, clear in `0`-`9`).
    @inline(__always)
    static func hexValue3(_ word: UInt64) -> UInt32 {
        let nibbles = (word & 0x0F0F0F) &+ ((word >> 6) & 0x010101) &* 9
        return UInt32(truncatingIfNeeded: (nibbles & 0xFF) << 8 | (nibbles >> 8 & 0xFF) << 4 | nibbles >> 16 & 0xFF)
    }

    /// 0x80 in each byte that is a control character or a space (0x00-0x20).
    @inline(__always)
    static func controlOrSpaceMask(_ word: UInt64) -> UInt64 { mask(word, 0x00, 0x20) }

    /// How many bytes come before the first byte marked in `mask` (8 when none is).
    @inline(__always)
    static func leadingCount(_ mask: UInt64) -> Int { mask.trailingZeroBitCount >> 3 }

    /// The value of the first `digits` (1-8) bytes of `word`, all decimal digits: the digits are moved to the top
    /// (zeros below them read as leading zeros), then pairs, quads and octets are combined in place.
    @inline(__always)
    static func decimalValue(_ word: UInt64, digits: Int) -> Int64 {
        var value = (word &- lowBits &* 0x30) << UInt64(8 * (8 - digits))
        value = (value &* 10 &+ (value >> 8)) & 0x00FF_00FF_00FF_00FF
        value = (value &* 100 &+ (value >> 16)) & 0x0000_FFFF_0000_FFFF
        value = (value &* 10000 &+ (value >> 32)) & 0xFFFF_FFFF
        return Int64(value)
    }

    /// The decimal digits at `pointer` (reading at most 24 bytes): their value (meaningful up to 18 digits)
    /// and how many there are.
    @inline(__always)
    static func decimalRun(_ pointer: UnsafePointer<UInt8>) -> (value: Int64, digits: Int) {
        var value: Int64 = 0
        var digits = 0
        while digits < 24 {
            let word = word(pointer + digits)
            let count = leadingCount(~mask(word, 0x30, 0x39) & highBits)
            if count > 0 { value = value &* powerOfTen(count) &+ decimalValue(word, digits: count) }
            digits += count
            if count < 8 { break }
        }
        return (value, digits)
    }

    /// The value of the first `digits` (1-8) bytes of `word`, all hex digits.
    @inline(__always)
    static func hexValue(_ word: UInt64, digits: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in 0..<digits {
            value = value << 4 | UInt32(LineCursor.hexValue(UInt8(truncatingIfNeeded: word >> UInt64(8 * index))))
        }
        return value
    }

    /// 10^n for n in 1-8.
    @inline(__always)
    static func powerOfTen(_ n: Int) -> Int64 {
        switch n {
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        default: 100_000_000
        }
    }

    /// 10^(18 - digits), the attoseconds in one unit of the last digit of a fraction of `digits` digits (1-18).
    @inline(__always)
    static func attosecondScale(_ digits: Int) -> Int64 {
        switch digits {
        case 6: 1_000_000_000_000
        case 9: 1_000_000_000
        case 3: 1_000_000_000_000_000
        default: LineCursor.attosecondScale[digits]
        }
    }
}
