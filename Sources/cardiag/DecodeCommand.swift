import ArgumentParser
import CANCore
import CANLog
import DTC
import Diagnostics
import ISOTP
import Interpretation
import KWP
import OBD
import UDS

#if canImport(Glibc)
    import Glibc
#endif

/// `cardiag decode`: every diagnostic conversation in a captured log, every DTC with its status, the DCM's
/// status, and what to do about it.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode the diagnostic conversations in a CAN log into trouble codes and a fix plan.",
        discussion: """
            Reads any log `cardiag frames` reads, reassembles ISO-TP in both directions (11-bit and 29-bit \
            ids, Toyota's 0x750/0x758 extended addressing by sub-address), pairs every request with its \
            response through response-pending (0x78) runs and functional requests, and decodes UDS, \
            KWP2000 and OBD-II. The report lists each ECU, its identification, every DTC record with \
            failure type and status, negative responses, the DCM's status when the log holds its \
            conversation, and a summary that accounts for every frame; then what each code means and the \
            ordered plan (leave out with --no-advice).

            --payload decodes one payload given as hex instead of a log.

            JSON output (schemaVersion 1) has a top-level `dtcs` array with one element per DTC record in \
            each positive response, an `ecus` array, `dcmStatus`, `summary` and `triage`. JSONL output has \
            one DTC record per line and a closing summary line.

            Exit status: 0 decoded (with or without DTCs), 65 bad input under --strict, 66 no such file.
            """)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json, jsonl
    }

    enum PayloadProtocol: String, ExpressibleByArgument, CaseIterable {
        case auto, uds, kwp, obd
    }

    @Argument(help: "The log to read, or - for standard input.")
    var input: String?

    @Option(help: "Output format: text, json or jsonl.")
    var format: OutputFormat = .text

    @OptionGroup var logInput: LogInputOptions

    @Option(help: "Only report DTCs matching these patterns, comma-separated (x is any digit): B15xx,U11xx,B15C4.")
    var codes: String?

    @Option(help: "The vehicle profile that names ECUs: toyota or generic.")
    var profile: String = "toyota"

    @OptionGroup var pairOptions: PairOptions

    @Flag(help: "Leave out the interpretation of each code and the triage plan.")
    var noAdvice = false

    @Option(help: "Decode one payload given as hex (\"59 02 FF 95 C4 00 09\") instead of a log.")
    var payload: String?

    @Option(name: .customLong("protocol"), help: "With --payload: auto, uds, kwp or obd.")
    var payloadProtocol: PayloadProtocol = .auto

    @Option(
        help: ArgumentHelp(
            "Threads that read the log (plain candump files): 1 for one, 0 for one per core (the default for files "
                + "over 64 MiB).", valueName: "N"))
    var jobs: Int?

    @OptionGroup var knowledgeBaseOptions: KnowledgeBaseOptions

    func validate() throws {
        if payload == nil && input == nil {
            throw ValidationError("Give a log file (or - for standard input), or --payload HEX.")
        }
        if payload != nil && input != nil { throw ValidationError("Give either a log file or --payload, not both.") }
        if let payload, Hex.bytes(payload).map({ !$0.isEmpty }) != true {
            throw ValidationError("--payload takes hex bytes, such as \"59 02 FF 95 C4 00 09\".")
        }
        guard VehicleProfile.builtIn[profile] != nil else {
            throw ValidationError("unknown profile '\(profile)'; use toyota or generic")
        }
        _ = try patterns()
        if let jobs, jobs < 0 { throw ValidationError("--jobs takes 0 (one per core) or a number of threads.") }
    }

    func patterns() throws -> [DTCPattern] {
        guard let codes else { return [] }
        return try codes.split(separator: ",").map { text in
            let trimmed = text.trimmingCharacters(in: " ")
            guard let pattern = DTCPattern(trimmed) else {
                throw ValidationError("'\(trimmed)' is not a code pattern: use B15C4, B15C464, B15xx or U0100-U0164.")
            }
            return pattern
        }
    }

    func run() throws {
        if let payload, let bytes = Hex.bytes(payload) {
            Terminal.shared.write(PayloadDescription(bytes, protocol: payloadProtocol).text.utf8)
            Terminal.shared.flush()
            return
        }
        let terminal = Terminal.shared
        try decodeLog(input ?? "-", output: { terminal.write($0.utf8) }, diagnostic: terminal.diagnostic)
        terminal.flush()
    }

    /// The reader for `path`: one ``LogReader``, or a ``ChunkedLogReader`` when the file is a plain candump
    /// log and more than one thread is wanted (or `cuts` are given, for tests).
    private func openInput(_ path: String, options: LogReader.Options, cuts: [Int]?) throws(LogError) -> any FrameInput
    {
        let reader = try LogReader(path: path, options: options)
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let threads = jobs.map { $0 == 0 ? cores : $0 } ?? cores
        var info = stat()
        guard path != "-", !logInput.strict, reader.format == .candumpLog, !reader.isCompressed,
            threads > 1 || cuts != nil,
            stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG
        else { return reader }
        let size = Int(info.st_size)
        guard cuts != nil || jobs != nil || size >= 64 << 20 else { return reader }
        // Stretches of 8 MiB: enough to keep every thread busy; a few of them (their selected frames) in memory.
        let length = 8 << 20
        let chunked = ChunkedLogReader(
            path: path, fileSize: size, cuts: cuts ?? ChunkedLogReader.evenCuts(fileSize: size, length: length),
            jobs: threads, options: options)
        return chunked ?? reader
    }

    /// Decodes the log at `path`, writing the output through `output` and warnings through `diagnostic`.
    /// `cuts` forces the multi-threaded reader with stretches starting at the first line start at or after
    /// each offset (for tests).
    func decodeLog(
        _ path: String, cuts: [Int]? = nil, output: (String) -> Void, diagnostic: (String) -> Void
    ) throws {
        let terminal = Terminal.shared
        let patterns = try patterns()
        let profile = VehicleProfile.builtIn[profile] ?? .toyota
        // JSONL writes each DTC record as it is decoded, so memory does not grow with the log.
        let streaming = format == .jsonl
        var limits = ConversationDecoder.Limits()
        limits.keepsDTCRecordsInECUReports = !streaming
        var decoder = LogDecoder(profile: profile, tracker: try pairOptions.trackerConfiguration(), limits: limits)
        // Broadcast frames on ids the tracker does not watch are checked and counted, never made into values.
        let watcher = decoder
        let selection = FrameSelection(
            standardID: { watcher.watches(.standard($0)!) }, extendedGroup: { watcher.watches(.extended($0 << 16)!) })
        var options = logInput.readerOptions
        options.selection = selection
        let reader: any FrameInput
        do {
            reader = try openInput(path, options: options, cuts: cuts)
        } catch {
            diagnostic("cardiag: \(error)")
            throw ExitCode(FramesCommand.exitStatus(for: error).rawValue)
        }
        // JSONL ends with the triage line: the knowledge base (and any overlay) is loaded, and checked, before any
        // record is written.
        let streamingKnowledgeBase = streaming && !noAdvice ? try knowledgeBaseOptions.load() : nil
        var streamed = 0
        // JSONL lines are written as bytes and handed out 64 KiB at a time.
        var lines: [UInt8] = []
        var lineWriter = DiagnosticReportJSON.RecordLineWriter()
        if streaming { lines.reserveCapacity(1 << 16 + 1024) }
        func flushLines() {
            guard !lines.isEmpty else { return }
            output(String(decoding: lines, as: UTF8.self))
            lines.removeAll(keepingCapacity: true)
        }
        func writeRecords() {
            for record in decoder.takeDTCRecords()
            where patterns.isEmpty || patterns.contains(where: { $0.matches(record.dtc) }) {
                lineWriter.append(record, ecuName: decoder.ecuName(at: record.ecu), to: &lines)
                lines.append(0x0A)
                streamed += 1
            }
            if lines.count >= 1 << 16 { flushLines() }
        }
        var progress = Progress(path: path, enabled: terminal.stderrIsTerminal)
        var nextProgress = 1 << 16
        do {
            while let frame = try reader.next() {
                decoder.feed(frame)
                if streaming { writeRecords() }
                if reader.framesRead + reader.framesPassedOver >= nextProgress {
                    nextProgress += 1 << 16
                    progress.update(bytes: reader.bytesRead, frames: reader.framesRead + reader.framesPassedOver)
                }
            }
        } catch {
            flushLines()
            progress.clear()
            terminal.flush()
            diagnostic("cardiag: \(error)")
            throw ExitCode(FramesCommand.exitStatus(for: error).rawValue)
        }
        progress.clear()
        decoder.passOver(nonDiagnosticFrames: reader.framesPassedOver, latestTimestamp: reader.lastTimestamp)
        var report = decoder.finish(skippedLines: reader.skipped)
        if streaming { writeRecords() }
        if !patterns.isEmpty { report = report.filtered(by: patterns) }
        for issue in reader.issues.prefix(FramesCommand.issuesShown) {
            diagnostic("cardiag: warning: \(issue)")
        }
        if reader.skipped > FramesCommand.issuesShown {
            diagnostic("cardiag: warning: ... and \(reader.skipped - FramesCommand.issuesShown) more")
        }
        if reader.timestampRegressions > 0 {
            let times = reader.timestampRegressions == 1 ? "once" : "\(reader.timestampRegressions) times"
            diagnostic(
                "cardiag: warning: \(reader.name): timestamps went backwards \(times) (merged captures?); frames "
                    + "were decoded in file order")
        }
        if streaming {
            flushLines()
            if let knowledgeBase = streamingKnowledgeBase {
                if decoder.distinctRecordsLeftOut > 0 {
                    diagnostic(
                        "cardiag: warning: the triage line weighs the first \(limits.distinctDTCRecordsPerECU) distinct "
                            + "codes of each ECU; \(decoder.distinctRecordsLeftOut) later records with other codes are "
                            + "in the stream only")
                }
                let plan = Triage(knowledgeBase: knowledgeBase).plan(for: report.vehicleFindings)
                output(DiagnosticReportJSON.triageLine(InterpretationRenderer(width: 80).jsonDocument(plan)) + "\n")
            }
            output(DiagnosticReportJSON.summaryLine(report.summary, dtcRecords: streamed) + "\n")
            return
        }

        let knowledgeBase = noAdvice ? nil : try knowledgeBaseOptions.load()
        let plan = knowledgeBase.map { Triage(knowledgeBase: $0).plan(for: report.vehicleFindings) }
        let input = [
            "file": reader.name, "format": reader.format.shortName, "compressed": reader.isCompressed ? "gzip" : "no",
        ]
        switch format {
        case .json:
            let renderer = InterpretationRenderer(width: 80)
            let document = DiagnosticReportJSON(
                report: report, input: input, advice: plan.map { renderer.jsonDocument($0) })
            output(document.text())
        case .jsonl:
            break  // written above, record by record
        case .text:
            let title =
                "cardiag decode: \(reader.name) (\(reader.format.shortName)\(reader.isCompressed ? ", gzip" : ""))"
            output(report.text(title: title))
            if let knowledgeBase, let plan {
                let renderer = InterpretationRenderer(width: terminal.columns)
                var seen = Set<DiagnosticTroubleCode>()
                // Only records that report a fault: a 19 0A list of supported codes is mostly status 0x00.
                let distinct = report.dtcs.filter(\.indicatesFault)
                    .map { DiagnosticTroubleCode(code: $0.dtc.code, failureType: $0.dtc.failureType) }
                    .filter { seen.insert($0).inserted }
                if !distinct.isEmpty {
                    output(String(repeating: "=", count: min(renderer.width, 80)) + "\n")
                    output("What the codes mean\n\n")
                    output(renderer.render(distinct.map(knowledgeBase.lookup), as: .text))
                }
                output(String(repeating: "=", count: min(renderer.width, 80)) + "\n")
                output(renderer.render(plan, as: .text))
            }
        }
    }
}

extension DiagnosticReport {
    /// The report with only the DTC records matching one of `patterns` (ECUs and counts kept).
    func filtered(by patterns: [DTCPattern]) -> DiagnosticReport {
        func keep(_ record: DTCRecord) -> Bool { patterns.contains { $0.matches(record.dtc) } }
        var copy = self
        copy.dtcs = dtcs.filter(keep)
        copy.ecus = ecus.map { ecu in
            var ecu = ecu
            ecu.dtcs = ecu.dtcs.filter(keep)
            return ecu
        }
        return copy
    }
}

/// A progress line on standard error (bytes, frames/s, ETA) while a large file decodes; only on a terminal.
struct Progress {
    let enabled: Bool
    let total: Int?
    let started = ContinuousClock.now
    var shown = false

    init(path: String, enabled: Bool) {
        self.enabled = enabled
        var info = stat()
        total = path != "-" && stat(path, &info) == 0 && info.st_size > 0 ? Int(info.st_size) : nil
    }

    mutating func update(bytes: Int, frames: Int) {
        guard enabled else { return }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        guard seconds > 0.5 else { return }
        var line = "\r\(bytes >> 20) MiB, \(frames) frames, \(Int(Double(frames) / seconds)) frames/s"
        if let total, bytes > 0, bytes < total {
            line += ", ETA \(Int(seconds * Double(total - bytes) / Double(bytes)) + 1) s"
        }
        Terminal.shared.progress(line)
        shown = true
    }

    mutating func clear() {
        guard shown else { return }
        Terminal.shared.progress("\r\u{1B}[K")
        shown = false
    }
}

/// One payload decoded by the codec that recognises it best (or the one asked for), as field lines.
struct PayloadDescription {
    let text: String

    init(_ bytes: [UInt8], protocol wanted: DecodeCommand.PayloadProtocol) {
        var chosen = wanted
        if chosen == .auto {
            let scores: [(DecodeCommand.PayloadProtocol, Int)] = [
                (.uds, UDSMessage.recognitionScore(of: bytes)), (.kwp, KWPMessage.recognitionScore(of: bytes)),
                (.obd, OBDMessage.recognitionScore(of: bytes)),
            ]
            chosen = scores.max { $0.1 < $1.1 }?.0 ?? .uds
        }
        var lines = ["payload: \(Hex.spaced(bytes))"]
        var fields: [(name: String, value: String)] = []
        do {
            switch chosen {
            case .uds, .auto:
                fields = try UDSMessage(decoding: bytes).fields
            case .kwp:
                fields = try KWPMessage(decoding: bytes).fields
            case .obd:
                fields = try OBDMessage(decoding: bytes).fields
            }
        } catch {
            lines.append("error: \(error)")
        }
        let width = fields.map(\.name.count).max() ?? 0
        for field in fields {
            lines.append(field.name + ":" + String(repeating: " ", count: width - field.name.count + 1) + field.value)
        }
        text = lines.joined(separator: "\n") + "\n"
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
