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
/// It reads eight bytes at a time (digits, hex digits and the end of the name found with bit masks, a timestamp
/// converted without a loop per digit). Every read is a plain load from a pointer: what it reads of a line is
/// bounded (a 24-byte look at each part of the timestamp, 16 bytes of name, 8 of id, 16 of data: under 82
/// bytes), so lines are only started while 96 bytes remain, and no byte is checked against the end.
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
    /// `previous` is the timestamp of the frame before the first line, for counting regressions; candump
    /// timestamps are never negative, so their components order the same way the durations do.
    func run(over bytes: UnsafeRawBufferPointer, previous: Duration?) -> Run {
        var run = Run()
        guard let start = bytes.baseAddress, bytes.count >= Self.window else { return run }
        let base = start.assumingMemoryBound(to: UInt8.self)
        let limit = bytes.count - Self.window
        var latest: (seconds: Int64, attoseconds: Int64) =
            previous.map { ($0.components.seconds, $0.components.attoseconds) } ?? (.min, .min)
        var hasLatest = previous != nil
        var lineStart = 0
        var lines = 0
        var regressions = 0
        var stoppedAtSelectedLine = false
        while lineStart <= limit {
            let line = base + lineStart
            guard line[0] == 0x28 else { break }  // '('
            // Seconds: 1-18 digits, then '.'; fraction: 1-18 digits, then ") ".
            let (seconds, secondsDigits) = Self.decimalRun(line + 1)
            guard secondsDigits > 0, secondsDigits <= 18, line[1 + secondsDigits] == 0x2E else { break }
            let fractionStart = 2 + secondsDigits
            let (fraction, fractionDigits) = Self.decimalRun(line + fractionStart)
            var index = fractionStart + fractionDigits
            guard fractionDigits > 0, fractionDigits <= 18, line[index] == 0x29, line[index + 1] == 0x20 else { break }
            index += 2
            // Interface name: 1-15 bytes above 0x20, then one space.
            var nameLength = Self.leadingCount(Self.controlOrSpaceMask(Self.word(line + index)))
            if nameLength == 8 { nameLength += Self.leadingCount(Self.controlOrSpaceMask(Self.word(line + index + 8))) }
            guard nameLength > 0, nameLength <= InterfaceNameCache.maximumLength, line[index + nameLength] == 0x20
            else { break }
            index += nameLength + 1
            // Id: 3 hex digits (at most 7FF) or 8 (no flag bits), then '#'.
            let idWord = Self.word(line + index)
            let idDigits = Self.leadingCount(~Self.hexMask(idWord) & Self.highBits)
            guard line[index + idDigits] == 0x23 else { break }  // '#'
            let isSelected: Bool
            if idDigits == 3 {
                let value = Self.hexValue(idWord, digits: 3)
                guard value <= 0x7FF else { break }
                isSelected = selection.containsStandard(value)
            } else if idDigits == 8 {
                let value = Self.hexValue(idWord, digits: 8)
                guard value & 0xE000_0000 == 0 else { break }  // CAN_ERR_FLAG and above: not a data frame
                isSelected = selection.containsExtended(value)
            } else {
                break
            }
            if isSelected {
                stoppedAtSelectedLine = true
                break
            }
            index += idDigits + 1
            // Data: an even number of hex digits, at most 16, then '\n'.
            var dataDigits = Self.leadingCount(~Self.hexMask(Self.word(line + index)) & Self.highBits)
            if dataDigits == 8 { dataDigits += Self.leadingCount(~Self.hexMask(Self.word(line + index + 8)) & Self.highBits) }
            index += dataDigits
            guard dataDigits & 1 == 0, line[index] == 0x0A, index <= maximumLineLength else { break }
            let stamp = (seconds, fraction &* Self.attosecondScale(fractionDigits))
            if hasLatest, stamp < latest { regressions += 1 }
            latest = stamp
            hasLatest = true
            lines += 1
            lineStart += index + 1
        }
        run.consumed = lineStart
        run.lines = lines
        run.regressions = regressions
        run.stoppedAtSelectedLine = stoppedAtSelectedLine
        if lines > 0 { run.latest = latest }
        return run
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
