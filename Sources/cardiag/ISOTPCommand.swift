import ArgumentParser
import CANCore
import CANLog
import ISOTP

/// `cardiag isotp FILE|-`: the ISO-TP messages of a log, reassembled in both directions with no configuration.
struct ISOTPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "isotp",
        abstract: "Print the ISO-TP messages of a CAN log, reassembled in both directions.",
        discussion: """
            Watches the diagnostic id ranges (0x7DF and 0x7E0-0x7E7 with +8 answers, 0x700-0x7F7 pairs, 29-bit \
            0x18DA/0x18DB, Toyota's 0x750/0x758 extended addressing keyed by the sub-address byte, and every \
            --pair) and prints one line per message: the time of its first frame, interface, id with \
            sub-address, direction and peer, length, frames and payload in hex. The summary on standard error \
            puts every frame in one bucket and names why each rejected frame could not become a message. \
            Reads every format `cardiag frames` reads.
            """)

    @Argument(help: "The log to read, or - for standard input.")
    var input: String

    @OptionGroup var logInput: LogInputOptions

    @OptionGroup var pairOptions: PairOptions

    func run() throws {
        let terminal = Terminal.shared
        var tracker = ISOTPFlowTracker(configuration: try pairOptions.trackerConfiguration())
        let reader = try LogInputOptions.open(input, options: logInput.readerOptions)
        do {
            while let frame = try reader.next() {
                if let message = tracker.feed(frame) { terminal.line(Self.line(for: message)) }
            }
        } catch {
            terminal.flush()
            terminal.diagnostic("cardiag: \(error)")
            throw ExitCode(FramesCommand.exitStatus(for: error).rawValue)
        }
        let unfinished = tracker.finish()
        terminal.flush()
        for issue in reader.issues.prefix(FramesCommand.issuesShown) {
            terminal.diagnostic("cardiag: warning: \(issue)")
        }
        for partial in unfinished {
            let message = partial.message
            terminal.diagnostic(
                "cardiag: warning: unfinished message \(Self.address(of: message)) \(message.direction.rawValue): "
                    + "\(message.payload.count) of \(partial.expectedLength) bytes")
        }
        terminal.diagnostic(FramesCommand.summary(of: reader))
        terminal.diagnostic(Self.summary(of: tracker.statistics))
    }

    /// `(1700000000.123456) can0 750.C7 request -> 758 physical 3 bytes in 1 frame: 19 02 09`.
    static func line(for message: ISOTPFlowMessage) -> String {
        var text = ""
        if let timestamp = message.firstTimestamp { text += "(\(seconds(timestamp))) " }
        if let interface = message.interface { text += "\(interface) " }
        text += "\(address(of: message)) \(message.direction.rawValue)"
        if let peer = message.peerID { text += " -> \(peer)" }
        text += message.targetType == .functional ? " functional" : " physical"
        text += " \(count(message.payload.count, "byte")) in \(count(message.frameCount, "frame"))"
        if message.flowControlFrameCount > 0 { text += " (+\(message.flowControlFrameCount) flow control)" }
        text += ": " + Hex.spaced(message.payload)
        return text
    }

    /// The id, with the sub-address byte after a dot when every frame led with one: `758.C7`.
    static func address(of message: ISOTPFlowMessage) -> String {
        guard let byte = message.addressExtension else { return message.id.description }
        return "\(message.id).\(Hex.string(byte, digits: 2))"
    }

    /// `1 frame`, `3 frames`.
    static func count(_ number: Int, _ noun: String) -> String { number == 1 ? "1 \(noun)" : "\(number) \(noun)s" }

    /// Seconds with six decimals, as candump prints them.
    static func seconds(_ duration: Duration) -> String {
        let (whole, attoseconds) = duration.components
        let micros = attoseconds / 1_000_000_000_000
        let fraction = String(micros)
        return "\(whole)." + String(repeating: "0", count: max(0, 6 - fraction.count)) + fraction
    }

    /// `isotp: 12 messages from 31 frames (25 in messages, 4 flow control, 2 other traffic); rejected: ...`.
    static func summary(of statistics: ISOTPFlowTracker.Statistics) -> String {
        var text = "isotp: \(count(statistics.messages, "message")) from \(count(statistics.framesFed, "frame")) ("
        text += "\(statistics.messageFrames) in messages, \(statistics.flowControlFrames) flow control, "
        text += "\(statistics.nonDiagnosticFrames) other traffic"
        if statistics.pendingFrames > 0 { text += ", \(statistics.pendingFrames) in unfinished messages" }
        let rejected = statistics.rejectedFrames.values.reduce(0, +)
        text += ", \(rejected) rejected)"
        if rejected > 0 {
            let reasons = ISOTPFlowTracker.RejectReason.allCases.compactMap { reason -> String? in
                guard let frames = statistics.rejectedFrames[reason], frames > 0 else { return nil }
                return "\(reason): \(count(frames, "frame"))"
            }
            text += "; rejected: " + reasons.joined(separator: ", ")
        }
        return text
    }
}
