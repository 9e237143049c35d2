import CANCore
import CByteScan

/// The reader's fast path over a buffer of GVRET CSV lines: it counts each line that has the shape of the last
/// line ``GVRETCSVParser/skim(line:selection:)`` passed over and whose id the selection leaves out, without
/// reading it field by field.
///
/// A ``Shape`` is that earlier line seen as bytes: where its decimal fields are (timestamp, bus), where its hex
/// digits are (id, data bytes), and the bytes that must be equal (the commas, `false`, `Rx`, the length, a
/// `0x`, a carriage return). A line of the same length with a digit at every decimal place, a hex digit at
/// every hex place and the same bytes everywhere else has the same fields with the same lengths, so `skim`
/// would check it the same way; what can still differ is the timestamp and the id, which are read here (an id
/// out of range or selected stops the run). Lines of at most 64 bytes, newline excluded, are classed in four
/// SSE2 steps (`CByteScan`); GVRET's own lines are 63 (`1700000000000230,000007DF,false,Rx,0,8,` and eight
/// bytes). It stops at the first line it cannot settle and leaves it to the reader's general path.
enum GVRETLineSkimmer {
    /// The longest line, newline excluded, a shape describes.
    static let maximumLength = 64
    /// Bytes that must be readable at a line's start: its classes (64), its newline and the id's word.
    static let window = 80

    /// What one run over a buffer found.
    struct Run {
        /// Bytes of whole lines consumed, newlines included.
        var consumed = 0
        /// Lines consumed, every one a frame passed over.
        var lines = 0
        /// The timestamp of the last line consumed, in microseconds.
        var latest: Int64?
        /// Lines whose timestamp was earlier than the line before (the first compared with `previous`).
        var regressions = 0
    }

    /// Consumes lines of `shape` from the start of `bytes` while the selection leaves their ids out.
    /// `previous` is the timestamp of the frame before the first line, for counting regressions.
    static func run(
        over bytes: UnsafeRawBufferPointer, shape: Shape, selection: FrameSelection, previous: Duration?
    ) -> Run {
        var run = Run()
        guard let start = bytes.baseAddress, bytes.count >= window else { return run }
        let base = start.assumingMemoryBound(to: UInt8.self)
        let limit = bytes.count - window
        let step = shape.length + 1
        var lineStart = 0
        var lines = 0
        var regressions = 0
        var latest: Int64 = 0
        while lineStart <= limit {
            guard let stamp = shape.passesOver(base + lineStart, selection) else { break }
            if lines > 0 {
                if stamp < latest { regressions += 1 }
            } else if let previous, Duration.microseconds(stamp) < previous {
                regressions += 1
            }
            latest = stamp
            lines += 1
            lineStart += step
        }
        run.consumed = lineStart
        run.lines = lines
        run.regressions = regressions
        if lines > 0 { run.latest = latest }
        return run
    }

    /// A line's layout: what ``GVRETCSVParser/skimShape(of:)`` makes of a line `skim` passed over.
    struct Shape {
        /// Bytes before the newline (1-64).
        var length: Int
        /// The line's bytes, eight to a word, the first in the lowest byte; zero past `length`.
        var bytes = InlineArray<8, UInt64>(repeating: 0)
        /// 0xFF at each byte that must equal `bytes`: neither a decimal nor a hex place.
        var fixed = InlineArray<8, UInt64>(repeating: 0)
        /// Bit n: byte n must be a decimal digit (timestamp, bus), or a hex digit (id, data bytes).
        var decimal: UInt64 = 0
        var hex: UInt64 = 0
        /// The timestamp's digits, from the line's start (1-18).
        var stampDigits = 0
        /// Where the id's hex digits start, and how many there are (1-8).
        var idStart = 0
        var idDigits = 0 {
            didSet { idShift = UInt32(4 * (8 - idDigits)) }
        }
        /// The bits of the eight-digit value read at `idStart` that belong to bytes after the id.
        private(set) var idShift: UInt32 = 0
        var isExtended = false

        init(length: Int) { self.length = length }

        /// The microseconds of a line of this shape whose id the selection leaves out; nil for any other line.
        @inline(__always)
        func passesOver(_ line: UnsafePointer<UInt8>, _ selection: FrameSelection) -> Int64? {
            guard line[length] == 0x0A else { return nil }
            var hexBits: UInt64 = 0
            let digitBits = cardiag_digit_bits64(line, &hexBits)
            guard decimal & ~digitBits | hex & ~hexBits == 0 else { return nil }
            var differences: UInt64 = 0
            for index in 0..<8 {
                differences |= (CandumpLineSkimmer.word(line + 8 * index) ^ bytes[index]) & fixed[index]
            }
            guard differences == 0 else { return nil }
            let id = GVRETLineSkimmer.hexValue8(CandumpLineSkimmer.word(line + idStart)) &>> idShift
            if isExtended {
                guard id <= 0x1FFF_FFFF, !selection.containsExtended(id) else { return nil }
            } else {
                guard id <= 0x7FF, !selection.containsStandard(id) else { return nil }
            }
            return GVRETLineSkimmer.decimalValue(line, digits: stampDigits)
        }
    }

    /// The value of the eight bytes of `word` read as hex digits, the first byte the most significant. A byte that
    /// is not a hex digit gives some value in its own nibble only, so a caller can shift it away.
    @inline(__always)
    static func hexValue8(_ word: UInt64) -> UInt32 {
        // A digit's low four bits, plus 9 for a letter (bit 6 set in `A`-`F` and `a`-`f`, clear in `0`-`9`).
        let nibbles =
            ((word & 0x0F0F_0F0F_0F0F_0F0F) &+ ((word >> 6) & CandumpLineSkimmer.lowBits) &* 9)
            & 0x0F0F_0F0F_0F0F_0F0F
        // Pairs, then quads, then both halves, the earlier byte above the later each time.
        let pairs = (nibbles & 0x00FF_00FF_00FF_00FF) << 4 | (nibbles >> 8) & 0x00FF_00FF_00FF_00FF
        let quads = (pairs & 0x0000_FFFF_0000_FFFF) << 8 | (pairs >> 16) & 0x0000_FFFF_0000_FFFF
        return UInt32(truncatingIfNeeded: (quads & 0xFFFF_FFFF) << 16 | quads >> 32)
    }

    /// The value of the `digits` (1-18) decimal digits at `pointer`.
    @inline(__always)
    static func decimalValue(_ pointer: UnsafePointer<UInt8>, digits: Int) -> Int64 {
        var value: Int64 = 0
        var offset = 0
        while offset < digits {
            let count = min(8, digits - offset)
            value =
                value &* CandumpLineSkimmer.powerOfTen(count)
                &+ CandumpLineSkimmer.decimalValue(CandumpLineSkimmer.word(pointer + offset), digits: count)
            offset += count
        }
        return value
    }
}
