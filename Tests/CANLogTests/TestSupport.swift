import CANCore
import CANLog
import Foundation
import Testing

/// The package's Fixtures folder, found from this file's path.
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures")

/// `../shared/captures` relative to the package root (third-party captures; absent on most machines).
let capturesDirectory = fixturesDirectory.deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/captures")

func fixtureBytes(_ path: String) throws -> [UInt8] {
    try [UInt8](Data(contentsOf: fixturesDirectory.appendingPathComponent(path)))
}

/// Parses one line with a fresh parser and renders the frame as a candump log line (or "blank"/"metadata").
func render<Parser: LogLineParser>(_ parser: Parser, _ line: String) throws(LineSyntaxError) -> String {
    var parser = parser
    switch try parser.parse(line: Array(line.utf8)) {
    case .frame(let frame): return CandumpLogWriter().line(for: frame)
    case .blank: return "blank"
    case .metadata: return "metadata"
    }
}

/// Reads every frame of `bytes`, fed in `chunkSize` pieces.
func readFrames(
    _ bytes: [UInt8], chunkSize: Int? = nil, options: LogReader.Options = LogReader.Options(), name: String = "test"
) throws(LogError) -> (frames: [CANFrame], reader: LogReader) {
    let reader = try LogReader(source: MemoryByteSource(bytes, chunkSize: chunkSize), name: name, options: options)
    return (try reader.readAll(), reader)
}

func lines(_ frames: [CANFrame]) -> [String] {
    frames.map { CandumpLogWriter().line(for: $0) }
}

func id(_ value: UInt32) -> CANIdentifier {
    value > 0x7FF ? CANIdentifier.extended(value)! : CANIdentifier.standard(value)!
}

/// Every fixture log (relative paths), for tests that run over all of them.
let allFixtureLogs = [
    "candump/frames.log", "candump/frames.log.gz", "candump/malformed.log", "screen/candump-screen.txt",
    "csv/savvycan-dir.csv", "csv/gvret.csv", "asc/vector.asc", "ecomcat/ecomcat.dat", "pcap/socketcan-be.pcap",
    "pcap/socketcan-le-id-ns.pcap", "pcap/socketcan.pcapng", "demo/toyota-dcm-b15c4.log",
]
