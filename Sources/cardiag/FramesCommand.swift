import ArgumentParser
import CANCore
import CANLog

/// `cardiag frames FILE|-`: prints every frame of a log in candump log format, with a summary on stderr.
struct FramesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames",
        abstract: "Print the frames of a CAN log, normalised to candump log format.",
        discussion: """
            Reads candump logs (-l/-L) and candump screen output (with -t, -x, -e), SavvyCAN/GVRET CSV, \
            pcap and pcapng (SocketCAN link types, either byte order), Vector ASC and ECOMCat text, plain or \
            gzip-compressed; the format is detected from the first bytes unless --format says it. Frames go \
            to standard output as `(seconds.micros) iface ID#DATA`; a summary (frames, lines skipped, format) \
            and the first problems go to standard error. Bad lines are skipped and counted unless --strict.
            """)

    @Argument(help: "The log to read, or - for standard input.")
    var input: String

    @Option(help: "The log format: auto, candump, screen, csv, pcap, pcapng, asc or ecomcat.")
    var format: String = "auto"

    @Flag(help: "Stop at the first bad line or record (exit status 65) instead of skipping it.")
    var strict = false

    /// How many skipped-line errors are printed before the summary.
    static let issuesShown = 10

    func validate() throws { try LogInputOptions.check(format: format, named: "format") }

    func run() throws {
        let terminal = Terminal.shared
        let options = LogReader.Options(format: LogFormat(shortName: format), strict: strict)
        let reader = try LogInputOptions.open(input, options: options)
        let writer = CandumpLogWriter()
        var line: [UInt8] = []
        line.reserveCapacity(256)
        do {
            while let frame = try reader.next() {
                line.removeAll(keepingCapacity: true)
                writer.append(frame, to: &line)
                terminal.write(line)
            }
        } catch {
            terminal.flush()
            terminal.diagnostic("cardiag: \(error)")
            throw ExitCode(Self.exitStatus(for: error).rawValue)
        }
        terminal.flush()
        for issue in reader.issues.prefix(Self.issuesShown) {
            terminal.diagnostic("cardiag: warning: \(issue)")
        }
        if reader.skipped > Self.issuesShown {
            terminal.diagnostic("cardiag: warning: ... and \(reader.skipped - Self.issuesShown) more")
        }
        terminal.diagnostic(Self.summary(of: reader))
    }

    static func exitStatus(for error: LogError) -> ExitStatus {
        switch error.code {
        case .fileNotFound, .readFailed: .noInput
        default: .dataError
        }
    }

    /// `capture.log: 1087 frames from 1087 lines (candump, gzip); 0 lines skipped`.
    static func summary(of reader: LogReader) -> String {
        let unit = reader.format.isText ? "lines" : "records"
        let read = reader.format.isText ? reader.linesRead : reader.recordsRead
        var text = "\(reader.name): \(reader.framesRead) frames from \(read) \(unit) "
        text += "(\(reader.format.shortName)\(reader.isCompressed ? ", gzip" : "")); \(reader.skipped) \(unit) skipped"
        if reader.metadataLines > 0 { text += "; \(reader.metadataLines) other lines" }
        if reader.otherBlocks > 0 { text += "; \(reader.otherBlocks) other blocks" }
        if reader.timestampRegressions > 0 {
            text += "; timestamps went backwards \(reader.timestampRegressions) times"
        }
        return text
    }
}
