package import CANCore
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

/// One fuzz target: a name (the folder of its corpus and regression inputs, `Fixtures/fuzz/<name>/`) and a
/// function that runs one input through a part of CarDiag and returns what it found wrong. Crashes, hangs and
/// runaway memory are found by libFuzzer and the sanitizers; the findings are broken invariants that do not
/// crash (a frame lost from the accounting, a reader whose output depends on how its input was chunked).
package struct Harness: Sendable {
    package let name: String
    /// The folders (relative to the package root) whose files seed the corpus (`make fuzz` copies them).
    package let seedFolders: [String]
    /// Seed inputs written out here, for harnesses whose input is not a file in the tree.
    package let seeds: [[UInt8]]
    package let run: @Sendable ([UInt8]) -> Findings
    /// For harnesses whose input is not a file: seeds made from the frames of a log (each log under
    /// ``frameSeedFolder``), so campaigns start from real conversations (see ``seeds(fromLogsUnder:)``).
    package let seedsFromFrames: (@Sendable ([CANFrame]) -> [[UInt8]])?

    init(
        name: String, seedFolders: [String], seeds: [[UInt8]] = [],
        seedsFromFrames: (@Sendable ([CANFrame]) -> [[UInt8]])? = nil, run: @escaping @Sendable ([UInt8]) -> Findings
    ) {
        self.name = name
        self.seedFolders = seedFolders.map { $0.hasPrefix("Sources/") ? $0 : "Fixtures/" + $0 }
        self.seeds = seeds
        self.seedsFromFrames = seedsFromFrames
        self.run = run
    }

    /// The logs whose frames seed harnesses with ``seedsFromFrames``, relative to the package root.
    package static let frameSeedFolder = "Fixtures/decode"

    /// The inline seeds and those made from every log under `root`'s ``frameSeedFolder``.
    package func seeds(fromLogsUnder root: String) -> [[UInt8]] {
        guard let seedsFromFrames else { return seeds }
        var all = seeds
        let folder = root + "/" + Self.frameSeedFolder
        for file in Self.files(in: folder) where file.hasSuffix(".log") {
            guard let reader = try? LogReader(path: folder + "/" + file), let frames = try? reader.readAll() else {
                continue
            }
            all += seedsFromFrames(frames)
        }
        return all
    }

    static func files(in folder: String) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }

    package static let all: [Harness] = [
        Harness(name: "log-candump", seedFolders: ["candump", "decode", "demo"]) { logReader($0, format: .candumpLog) },
        Harness(name: "log-screen", seedFolders: ["screen"]) { logReader($0, format: .candumpScreen) },
        Harness(name: "log-csv", seedFolders: ["csv"]) { logReader($0, format: .gvretCSV) },
        Harness(name: "log-pcap", seedFolders: ["pcap"]) { logReader($0, format: .pcap) },
        Harness(name: "log-pcapng", seedFolders: ["pcap"]) { logReader($0, format: .pcapng) },
        Harness(name: "log-asc", seedFolders: ["asc"]) { logReader($0, format: .vectorASC) },
        Harness(name: "log-ecomcat", seedFolders: ["ecomcat"]) { logReader($0, format: .ecomCat) },
        Harness(name: "log-auto", seedFolders: ["candump", "screen", "csv", "pcap", "asc", "ecomcat"]) {
            logReader($0, format: nil)
        },
        Harness(name: "log-gzip", seedFolders: ["candump"]) { gzipLog($0) },
        Harness(name: "log-decoder", seedFolders: ["decode", "demo"]) { logDecoder($0) },
        Harness(name: "isotp-tracker", seedFolders: [], seedsFromFrames: trackerSeeds) { isoTPTracker($0) },
        Harness(name: "isotp-reassembler", seedFolders: [], seedsFromFrames: reassemblerSeeds) { isoTPReassembler($0) },
        Harness(
            name: "codecs", seedFolders: [], seeds: payloads.map { Hex.bytes($0)! }, seedsFromFrames: payloadSeeds
        ) { codecs($0) },
        Harness(name: "payload", seedFolders: [], seeds: payloads.map { Array($0.utf8) }) { payloadText($0) },
        Harness(name: "dtc-text", seedFolders: [], seeds: dtcTexts.map { Array($0.utf8) }) { dtcText($0) },
        Harness(name: "kb-overlay", seedFolders: ["Sources/Interpretation/KnowledgeBase"]) { knowledgeBaseOverlay($0) },
    ]

    /// Payloads as `cardiag decode --payload` takes them: UDS DTC reads, a 0x78, KWP and OBD answers.
    static let payloads = [
        "19 02 09", "59 02 FF 95 C4 00 09 C1 00 87 2F", "7F 19 78", "22 F1 90", "62 F1 90 4A 54 44",
        "59 04 B1 5C 46 09 01 02 03", "58 01 15 C4 E0", "18 00 FF 00", "01 00", "41 00 BE 3F A8 13",
        "43 02 01 33 C1 00", "49 02 01 4A 54", "10 03", "50 03 00 32 01 F4", "3E 00", "14 FF FF FF",
    ]

    /// DTC text as people type it, and patterns.
    static let dtcTexts = ["B15C4", "B15C4-64", "U0100 87", "p0420", "U11xx", "U0100-U0164", "B15A804", "C1201"]

    package static func named(_ name: String) -> Harness? { all.first { $0.name == name } }

    // MARK: - Log readers

    /// Options small enough that buffer refills, line limits and record limits are all reached by short
    /// inputs.
    static func fuzzOptions(format: LogFormat?) -> LogReader.Options {
        LogReader.Options(
            format: format, maximumLineLength: 200, maximumRecordLength: 2048, maximumIssuesKept: 4, bufferSize: 256)
    }

    struct Reading: Equatable {
        var frames: [CANFrame] = []
        var error: LogError?
        var skipped = 0
        var format: LogFormat?
    }

    static func read(_ bytes: [UInt8], chunkSize: Int?, options: LogReader.Options, limit: Int = 100_000) -> Reading {
        var reading = Reading()
        do {
            let reader = try LogReader(
                source: MemoryByteSource(bytes, chunkSize: chunkSize), name: "fuzz", options: options)
            reading.format = reader.format
            while reading.frames.count < limit, let frame = try reader.next() { reading.frames.append(frame) }
            reading.skipped = reader.skipped
        } catch {
            reading.error = error
        }
        return reading
    }

    /// Reads `bytes` whole and again in small chunks (the chunk size drawn from the input's length): both
    /// readings must agree, every frame must be valid, and every frame written back as a candump line must
    /// read back as itself.
    static func logReader(_ bytes: [UInt8], format: LogFormat?) -> Findings {
        var findings: Findings = []
        let options = fuzzOptions(format: format)
        let whole = read(bytes, chunkSize: nil, options: options)
        let chunked = read(bytes, chunkSize: 1 + bytes.count % 13, options: options)
        if whole != chunked {
            findings.append(
                "whole and chunked readings differ: \(whole.frames.count) vs \(chunked.frames.count) frames, "
                    + "skipped \(whole.skipped) vs \(chunked.skipped), error \(String(describing: whole.error)) vs "
                    + "\(String(describing: chunked.error))")
        }
        for frame in whole.frames {
            if let invalidity = frame.invalidity { findings.append(invalidity) }
        }
        findings += candumpRoundTrip(whole.frames)
        return findings
    }

    /// Frames written by ``CandumpLogWriter`` read back as the same frames (timestamps to the microsecond,
    /// interfaces as written).
    static func candumpRoundTrip(_ frames: [CANFrame]) -> Findings {
        let writer = CandumpLogWriter()
        var text: [UInt8] = []
        for frame in frames { writer.append(frame, to: &text) }
        let back = read(text, chunkSize: nil, options: LogReader.Options(format: .candumpLog, strict: true))
        if let error = back.error { return ["candump writer output does not read back: \(error)"] }
        guard back.frames.count == frames.count else {
            return ["\(frames.count) frames written, \(back.frames.count) read back"]
        }
        for (written, read) in zip(frames, back.frames) {
            guard written.id == read.id, written.kind == read.kind, Array(written.data) == Array(read.data) else {
                return ["frame \(written) read back as \(read) (\(writer.line(for: written)))"]
            }
        }
        return []
    }

    /// The input, behind a gzip member header, so that every case reaches the decompressor (a deflate
    /// stream of stored or Huffman blocks follows from the mutated bytes).
    static func gzipLog(_ bytes: [UInt8]) -> Findings {
        let header: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]
        let input = bytes.starts(with: [0x1F, 0x8B]) ? bytes : header + bytes
        return logReader(input, format: nil)
    }

    // MARK: - Pipeline

    /// The whole offline pipeline: reader, ISO-TP tracker, conversation decoder, report renderers. Every
    /// frame read lands in exactly one bucket.
    static func logDecoder(_ bytes: [UInt8]) -> Findings {
        let reading = read(bytes, chunkSize: nil, options: fuzzOptions(format: nil), limit: 20_000)
        guard reading.error == nil || !reading.frames.isEmpty else { return [] }
        var decoder = LogDecoder()
        for frame in reading.frames { decoder.feed(frame) }
        let report = decoder.finish(skippedLines: reading.skipped)
        var findings: Findings = []
        let summary = report.summary
        if summary.frames != reading.frames.count {
            findings.append("summary counts \(summary.frames) frames, the reader produced \(reading.frames.count)")
        }
        let bucketed = summary.frameBuckets.values.reduce(0, +)
        if bucketed != summary.frames {
            findings.append("buckets \(summary.frameBuckets) hold \(bucketed) frames of \(summary.frames)")
        }
        if summary.frameBuckets.values.contains(where: { $0 < 0 }) {
            findings.append("negative bucket \(summary.frameBuckets)")
        }
        _ = report.text(title: "fuzz")
        _ = DiagnosticReportJSON(report: report).text()
        _ = DiagnosticReportJSON(report: report).lines()
        return findings
    }

    // MARK: - ISO-TP

    /// A log's frames as the tracker harness reads them: a configuration (no extra ids or pairs, the largest
    /// message limit, a 1 s timeout), then every frame.
    static func trackerSeeds(_ frames: [CANFrame]) -> [[UInt8]] {
        frames.isEmpty ? [] : [[0, 0, 0, 0xFF, 0xFF, 100] + FuzzInput.encode(frames)]
    }

    /// A log's responses as the reassembler harness reads them: for the DCM's extended addressing (0x758, 0xC7)
    /// and for normal addressing on 0x7E8, the frames the reassembler would receive, each kept on its id.
    static func reassemblerSeeds(_ frames: [CANFrame]) -> [[UInt8]] {
        var seeds: [[UInt8]] = []
        // Address choice, classic format checking padding, the largest limit, BS 0, STmin 0, a 1 s timeout.
        for (addressChoice, id, addressByte) in [
            (UInt8(2), CANIdentifier.standard(0x758)!, UInt8?(0xC7)), (0, .standard(0x7E8)!, nil),
        ] {
            var seed: [UInt8] = [addressChoice, 0, 0, 0xFF, 0xFF, 0, 0, 250]
            var previous = frames.first?.timestamp ?? .zero
            var count = 0
            for frame in frames where frame.id == id && (addressByte == nil || frame.data.first == addressByte) {
                let time = frame.timestamp ?? previous
                // A frame step (choice 1 of 8), the frame, its id kept (choice 1 of 4) and, with an address
                // byte, the byte kept (choice 0 of 4).
                seed += [1] + FuzzInput.encode(frame, elapsed: time - previous) + (addressByte == nil ? [1] : [1, 0])
                previous = time
                count += 1
            }
            if count > 0 { seeds.append(seed) }
        }
        return seeds
    }

    /// The payloads of the messages a log holds, reassembled by the tracker: what the codecs decode in a decode.
    static func payloadSeeds(_ frames: [CANFrame]) -> [[UInt8]] {
        var tracker = ISOTPFlowTracker()
        var payloads: [[UInt8]] = []
        for frame in frames {
            if let message = tracker.feed(frame), !payloads.contains(message.payload) {
                payloads.append(message.payload)
            }
        }
        return payloads
    }

    /// The passive tracker fed an arbitrary frame sequence (with a configuration drawn from the input): every
    /// frame lands in exactly one bucket, and messages respect the length limit.
    static func isoTPTracker(_ bytes: [UInt8]) -> Findings {
        var input = FuzzInput(bytes)
        var extendedIDs: Set<CANIdentifier> = [.standard(0x750)!, .standard(0x758)!]
        if input.bool() { extendedIDs.insert(.standard(0x7C0 | UInt32(input.byte() & 0x3F))!) }
        var pairs: [ISOTPFlowTracker.Pair] = []
        if input.bool() {
            pairs.append(.init(request: .standard(0x123)!, response: .standard(0x124)!, usesAddressByte: input.bool()))
        }
        if input.bool() {
            pairs.append(
                .init(
                    request: .extended(0x18DA_10F1)!, response: .extended(0x18DA_F110)!, usesAddressByte: input.bool()))
        }
        let maximumLength = 1 + Int(input.uint16())
        let configuration = ISOTPFlowTracker.Configuration(
            extendedAddressingIDs: extendedIDs, additionalPairs: pairs,
            consecutiveFrameTimeout: .milliseconds(Int(input.byte()) * 10), maximumMessageLength: maximumLength)
        var tracker = ISOTPFlowTracker(configuration: configuration)
        var findings: Findings = []
        var time = Duration.seconds(1_700_000_000)
        var fed = 0
        while !input.isExhausted && fed < 10_000 {
            let frame = input.frame(at: &time)
            fed += 1
            if let message = tracker.feed(frame) {
                // The limit is on what first frames announce; a single frame carries at most 62 bytes anyway.
                if message.payload.count > max(maximumLength, 62) {
                    findings.append("message of \(message.payload.count) bytes above the \(maximumLength)-byte limit")
                }
                if message.frameCount < 1 { findings.append("message from \(message.frameCount) frames") }
            }
            // Before the end, frames of unfinished messages are pending; the buckets add up at every step.
            if tracker.statistics.accountedFrames != fed {
                findings.append("after \(fed) frames the tracker accounts for \(tracker.statistics.accountedFrames)")
                return findings
            }
        }
        _ = tracker.finish()
        let statistics = tracker.statistics
        if statistics.framesFed != fed || statistics.accountedFrames != fed {
            findings.append(
                "fed \(fed), tracker saw \(statistics.framesFed) and accounts for \(statistics.accountedFrames)")
        }
        if statistics.pendingFrames != 0 { findings.append("\(statistics.pendingFrames) frames pending after finish") }
        if !tracker.inProgress.isEmpty { findings.append("messages in progress after finish") }
        return findings
    }

    /// The live reassembler stepped through frames and timer events (addressing, format and block size drawn
    /// from the input): it never delivers more than its limit, never wedges, and its deadline exists exactly
    /// while it receives.
    static func isoTPReassembler(_ bytes: [UInt8]) -> Findings {
        var input = FuzzInput(bytes)
        let address: ISOTPAddress
        switch input.choice(4) {
        case 0: address = .normal(transmitID: .standard(0x7E0)!, receiveID: .standard(0x7E8)!)
        case 1: address = .normalFixed(sourceAddress: 0xF1, targetAddress: 0x10)
        case 2:
            address = .extended(
                transmitID: .standard(0x750)!, receiveID: .standard(0x758)!, targetAddress: 0xC7, sourceAddress: 0xC7)
        default: address = .mixed(transmitID: .standard(0x700)!, receiveID: .standard(0x701)!, addressExtension: 0x42)
        }
        let format: ISOTPFrameFormat
        switch input.choice(3) {
        case 0: format = .classic(checksReceivedPadding: input.bool())
        case 1: format = .classic(paddingByte: nil)
        default:
            let lengths = [8, 12, 16, 20, 24, 32, 48, 64]
            format = .fd(transmitDataLength: lengths[input.choice(lengths.count)], checksReceivedPadding: input.bool())
        }
        let maximumLength = 1 + Int(input.uint16())
        let configuration = ISOTPReassembler.Configuration(
            address: address, format: format, blockSize: input.byte() & 0x0F,
            separationTime: ISOTPSeparationTime(rawValue: input.byte()),
            consecutiveFrameTimeout: .milliseconds(1 + Int(input.byte()) * 4), maximumMessageLength: maximumLength)
        var reassembler = ISOTPReassembler(configuration: configuration)
        var findings: Findings = []
        var time = Duration.zero
        var steps = 0
        while !input.isExhausted && steps < 10_000 {
            steps += 1
            let action: ISOTPReassembler.Action
            if input.choice(8) == 0 {
                time += .milliseconds(Int(input.byte()) * 8)
                action = reassembler.timerFired(at: time)
            } else {
                var frame = input.frame(at: &time)
                // Mostly frames on our own receive id, so that the state machine gets to work.
                if input.choice(4) != 0 {
                    frame.id = address.receiveID
                    if let byte = address.receiveAddressExtension, !frame.data.isEmpty, input.choice(4) != 0 {
                        frame.data[0] = byte
                    }
                }
                action = reassembler.receive(frame, at: time)
            }
            findings += check(action, reassembler, maximumLength: maximumLength)
            if !findings.isEmpty { return findings }
        }
        return findings
    }

    static func check(_ action: ISOTPReassembler.Action, _ reassembler: ISOTPReassembler, maximumLength: Int)
        -> Findings
    {
        var findings: Findings = []
        switch action {
        case .deliver(let message):
            if message.count > max(maximumLength, 62) {
                findings.append("delivered \(message.count) bytes, limit \(maximumLength)")
            }
        case .interrupted(_, let then):
            if case .interrupted = then { findings.append("an interruption interrupted again") }
            findings += check(then, reassembler, maximumLength: maximumLength)
            return findings
        case .abort, .rejectMessage:
            if reassembler.isReceiving { findings.append("still receiving after \(action)") }
        default: break
        }
        if reassembler.isReceiving != (reassembler.deadline != nil) {
            findings.append(
                "receiving \(reassembler.isReceiving) but deadline \(String(describing: reassembler.deadline))")
        }
        if let partial = reassembler.partialMessage {
            if partial.received.count > partial.expectedLength || partial.expectedLength > maximumLength {
                findings.append("partial message of \(partial.received.count)/\(partial.expectedLength) bytes")
            }
        }
        return findings
    }

    // MARK: - Codecs and text

    /// The UDS, KWP and OBD decoders on the same bytes: a decoded message keeps every byte, and describing it
    /// does not crash.
    static func codecs(_ bytes: [UInt8]) -> Findings {
        var findings: Findings = []
        if let message = try? UDSMessage(decoding: bytes) {
            if message.payload != bytes { findings.append("UDS message does not keep its bytes") }
            _ = String(describing: message.content)
            _ = message.fields  // what `cardiag decode --payload` prints
        }
        if let message = try? KWPMessage(decoding: bytes) {
            if message.payload != bytes { findings.append("KWP message does not keep its bytes") }
            _ = String(describing: message.content)
            _ = message.fields  // what `cardiag decode --payload` prints
        }
        if let message = try? OBDMessage(decoding: bytes) {
            if message.payload != bytes { findings.append("OBD message does not keep its bytes") }
            _ = String(describing: message.content)
            _ = message.fields  // what `cardiag decode --payload` prints
        }
        _ = UDSMessage.recognitionScore(of: bytes)
        _ = KWPMessage.recognitionScore(of: bytes)
        _ = OBDMessage.recognitionScore(of: bytes)
        return findings
    }

    /// `cardiag decode --payload` text: `Hex.bytes` then the decoders. Parsed bytes print back as hex that
    /// parses to the same bytes.
    static func payloadText(_ bytes: [UInt8]) -> Findings {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let payload = Hex.bytes(text) else { return [] }
        var findings = codecs(payload)
        for printed in [Hex.spaced(payload), Hex.compact(payload)] where Hex.bytes(printed) != payload {
            findings.append("\(printed) does not parse back to \(payload)")
        }
        return findings
    }

    /// DTC text as users type it: codes, codes with failure types, patterns. Whatever parses prints back as
    /// text that parses to the same value.
    static func dtcText(_ bytes: [UInt8]) -> Findings {
        let text = String(decoding: bytes, as: UTF8.self)
        var findings: Findings = []
        if let code = DTCCode(text), DTCCode(code.description) != code {
            findings.append("\(text) → \(code) does not parse back")
        }
        let dtc = DiagnosticTroubleCode(text)
        if let dtc {
            for printed in [dtc.description, dtc.compactText, dtc.hyphenatedText]
            where DiagnosticTroubleCode(printed) != dtc {
                findings.append("\(text) → \(printed) does not parse back")
            }
        }
        if let pattern = DTCPattern(text) {
            if DTCPattern(pattern.description) != pattern { findings.append("pattern \(text) does not parse back") }
            if let dtc, !pattern.matches(dtc) && dtc.failureType == nil && !text.contains("-") {
                findings.append("pattern \(text) does not match the code it spells")
            }
        }
        return findings
    }

    /// The built-in knowledge base once, for every overlay case.
    static let builtIn: KnowledgeBase? = try? KnowledgeBase.builtIn()

    /// A user's knowledge-base file laid over the built-in one: it loads or is rejected with an error, and
    /// a loaded base answers lookups.
    static func knowledgeBaseOverlay(_ bytes: [UInt8]) -> Findings {
        guard let builtIn else { return ["the built-in knowledge base does not load"] }
        guard let overlaid = try? builtIn.overlaying(fileNamed: "fuzz.json", contents: bytes) else { return [] }
        for entry in overlaid.entries.suffix(20) {
            for pattern in entry.patterns {
                if let code = DiagnosticTroubleCode(pattern) { _ = overlaid.lookup(code) }
            }
            if let symptom = entry.symptom { _ = overlaid.explain(symptom: symptom) }
        }
        return []
    }
}
