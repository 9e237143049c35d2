// `DecodeLoop LOG`: the loop of `cardiag decode --format jsonl --jobs 1` (reader with the tracker's selection,
// decoder, one JSONL line per DTC record, the summary line) on the main thread with no async runtime, for
// counting instructions with callgrind: valgrind 3.19 stops with an internal error inside libdispatch's start-up
// in `cardiag` itself. Its output is byte-identical to cardiag's (Tools/bench-callgrind compares them), so its
// counts are the decode's.
import CANLog
import Diagnostics

#if canImport(Glibc)
    import Glibc
#endif

func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let count = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            guard count > 0 else { return }
            offset += count
        }
    }
}

func decode(path: String) throws(LogError) {
    let profile = VehicleProfile.toyota
    var limits = ConversationDecoder.Limits()
    limits.keepsDTCRecordsInECUReports = false
    var decoder = LogDecoder(profile: profile, limits: limits)
    let watcher = decoder
    let selection = FrameSelection(
        standardID: { watcher.watches(.standard($0)!) }, extendedGroup: { watcher.watches(.extended($0 << 16)!) })
    var output: [UInt8] = []
    var lineWriter = DiagnosticReportJSON.RecordLineWriter()
    output.reserveCapacity(1 << 16)
    var streamed = 0
    func writeRecords() {
        for record in decoder.takeDTCRecords() {
            lineWriter.append(record, ecuName: decoder.ecuName(at: record.ecu), to: &output)
            output.append(0x0A)
            streamed += 1
        }
        if output.count >= 1 << 16 {
            writeAll(STDOUT_FILENO, output)
            output.removeAll(keepingCapacity: true)
        }
    }
    let reader = try LogReader(path: path, options: LogReader.Options(selection: selection))
    while let frame = try reader.next() {
        decoder.feed(frame)
        writeRecords()
    }
    decoder.passOver(nonDiagnosticFrames: reader.framesPassedOver, latestTimestamp: reader.lastTimestamp)
    let report = decoder.finish(skippedLines: reader.skipped)
    writeRecords()
    output.append(contentsOf: DiagnosticReportJSON.summaryLine(report.summary, dtcRecords: streamed).utf8)
    output.append(0x0A)
    writeAll(STDOUT_FILENO, output)
}

guard CommandLine.arguments.count == 2 else {
    writeAll(STDERR_FILENO, Array("usage: DecodeLoop LOG\n".utf8))
    exit(64)
}
do {
    try decode(path: CommandLine.arguments[1])
} catch {
    writeAll(STDERR_FILENO, Array("DecodeLoop: \(error)\n".utf8))
    exit(65)
}
