/// The log formats ``LogReader`` reads.
public enum LogFormat: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// `candump -l` / `-L`: `(1700000000.123456) can0 7E8#0659028000C400`.
    case candumpLog
    /// What `candump` prints on a terminal: `  can0  7E8   [8]  06 59 02 ...`.
    case candumpScreen
    /// SavvyCAN / GVRET CSV: `Time Stamp,ID,Extended,[Dir,]Bus,LEN,D1,...`.
    case gvretCSV
    /// pcap with `LINKTYPE_CAN_SOCKETCAN` (or Linux cooked capture of CAN), either byte order, µs or ns.
    case pcap
    /// pcapng with SocketCAN interfaces.
    case pcapng
    /// Vector ASC.
    case vectorASC
    /// ECOMCat text (`IDH: 07, IDL: 81, Len: 08, Data: ...`).
    case ecomCat

    /// The short name used on the command line (`candump`, `screen`, `csv`, `pcap`, `pcapng`, `asc`, `ecomcat`).
    public var shortName: String {
        switch self {
        case .candumpLog: "candump"
        case .candumpScreen: "screen"
        case .gvretCSV: "csv"
        case .pcap: "pcap"
        case .pcapng: "pcapng"
        case .vectorASC: "asc"
        case .ecomCat: "ecomcat"
        }
    }

    /// The format with this short name, or nil.
    public init?(shortName: String) {
        guard let format = Self.allCases.first(where: { $0.shortName == shortName }) else { return nil }
        self = format
    }

    /// True for the line-based formats.
    public var isText: Bool {
        switch self {
        case .pcap, .pcapng: false
        default: true
        }
    }

    public var description: String { shortName }

    /// The text formats in the order detection prefers them when two fit equally well.
    static let textFormats: [LogFormat] = [.candumpLog, .candumpScreen, .gvretCSV, .vectorASC, .ecomCat]

    /// Recognises a format from the first bytes of a (decompressed) log.
    ///
    /// Binary formats are told by their magic numbers. For text, each line parser is tried on the first
    /// complete lines (up to `sampleLines`); the format whose parser recognises the most lines wins (frames count
    /// twice as much as headers and comments).
    /// `isComplete` says whether `prefix` is the whole input (so its last line counts even without a newline).
    /// Returns nil when nothing fits.
    public static func detect(prefix: UnsafeRawBufferPointer, isComplete: Bool, sampleLines: Int = 32) -> LogFormat? {
        if prefix.count >= 4 {
            let magic = UInt32(prefix[0]) << 24 | UInt32(prefix[1]) << 16 | UInt32(prefix[2]) << 8 | UInt32(prefix[3])
            switch magic {
            case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1: return .pcap
            case 0x0A0D_0D0A: return .pcapng
            default: break
            }
        }
        var lines: [UnsafeRawBufferPointer] = []
        var start = 0
        for index in 0..<prefix.count where prefix[index] == 0x0A {
            lines.append(UnsafeRawBufferPointer(rebasing: prefix[start..<index]))
            start = index + 1
            if lines.count >= sampleLines { break }
        }
        if isComplete, start < prefix.count, lines.count < sampleLines {
            lines.append(UnsafeRawBufferPointer(rebasing: prefix[start...]))
        }
        var best: (format: LogFormat, score: Int)?
        for format in textFormats {
            var parser = TextLineParser(format: format)
            var score = 0
            for line in lines {
                switch try? parser.parse(line: line) {
                case .frame: score += 2
                case .metadata: score += 1
                case .blank: break
                case nil: break  // logs with bad lines must still be recognised
                }
            }
            if score > 0, score > best?.score ?? 0 { best = (format, score) }
        }
        return best?.format
    }
}

/// One of the text parsers, chosen at run time; the reader calls it through a switch so each parser's
/// code stays specialised.
struct TextLineParser {
    let format: LogFormat
    var candumpLog = CandumpLogParser()
    var candumpScreen = CandumpScreenParser()
    var gvretCSV = GVRETCSVParser()
    var vectorASC = VectorASCParser()
    var ecomCat = ECOMCatParser()

    init(format: LogFormat) { self.format = format }

    /// Whether the format has a `skim(line:selection:)`: a check that counts lines on unselected ids without
    /// parsing them into frames.
    var skims: Bool { format == .candumpLog || format == .gvretCSV }

    /// The timestamp of a line the selection leaves out that `parse` would read as a data frame; nil for any
    /// other line (which is then parsed). `mutating` only so that the reader calls it in place: as a plain
    /// method on the reader's stored parser it copied every parser (and retained what they hold) per line.
    @inline(__always)
    mutating func skim(line: UnsafeRawBufferPointer, selection: FrameSelection) -> Duration? {
        switch format {
        case .candumpLog: candumpLog.skim(line: line, selection: selection)
        case .gvretCSV: gvretCSV.skim(line: line, selection: selection)
        default: nil
        }
    }

    @inline(__always)
    mutating func parse(line: UnsafeRawBufferPointer) throws(LineSyntaxError) -> ParsedLine {
        switch format {
        case .candumpLog: try candumpLog.parse(line: line)
        case .candumpScreen: try candumpScreen.parse(line: line)
        case .gvretCSV: try gvretCSV.parse(line: line)
        case .vectorASC: try vectorASC.parse(line: line)
        case .ecomCat: try ecomCat.parse(line: line)
        case .pcap, .pcapng: preconditionFailure("binary formats have no line parser")
        }
    }
}
