import Foundation
import Testing

@testable import cardiag

/// The multi-threaded reader of `cardiag decode` must give exactly the output of the single-threaded one:
/// every fixture is decoded once in one piece and then cut at every byte offset (a message may start before
/// the cut and end after it), and the JSON and JSONL outputs and the warnings are compared byte for byte.
@Suite struct ChunkedDecodeTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let fixtures: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Fixtures/decode").path))
        ?? []).filter { $0.hasSuffix(".log") }.sorted().map { "Fixtures/decode/" + $0 }
        + ["Fixtures/candump/frames.log", "Fixtures/candump/malformed.log"]

    struct Output: Equatable {
        var stdout = ""
        var stderr: [String] = []
    }

    static func decode(_ path: String, format: String, cuts: [Int]?) throws -> Output {
        let jobs = cuts == nil ? "1" : "2"
        let command = try DecodeCommand.parse([path, "--format", format, "--no-advice", "--jobs", jobs])
        var output = Output()
        try command.decodeLog(path, cuts: cuts, output: { output.stdout += $0 }, diagnostic: { output.stderr.append($0) })
        return output
    }

    /// Decodes with one cut at every byte offset. Offsets that snap to the same line start give the same
    /// stretches, so each distinct set of stretches is decoded once.
    static func checkEveryCut(_ path: String) throws {
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for format in ["jsonl", "json"] {
            let whole = try decode(path, format: format, cuts: nil)
            #expect(!whole.stdout.isEmpty)
            var decoded: [[Int]: Output] = [:]
            for offset in 0...size {
                let starts = ChunkedLogReader.lineStarts(descriptor: descriptor, fileSize: size, cuts: [offset])
                // The cut moves to the first line start at or after the offset.
                let expected = (offset..<size).first { $0 == 0 || bytes[$0 - 1] == 0x0A }
                #expect(starts == [0] + (expected.map { $0 > 0 ? [$0] : [] } ?? []), "offset \(offset)")
                if decoded[starts] == nil { decoded[starts] = try decode(path, format: format, cuts: [offset]) }
                #expect(decoded[starts] == whole, "\(path) \(format) cut at \(offset)")
            }
            // Every line its own stretch.
            let allStarts = (1..<max(size, 1)).filter { bytes[$0 - 1] == 0x0A }
            #expect(try decode(path, format: format, cuts: allStarts) == whole, "\(path) \(format) one line per stretch")
        }
    }

    @Test(arguments: fixtures)
    func everyCutOfAFixtureGivesTheSameOutput(_ fixture: String) throws {
        try Self.checkEveryCut(Self.packageRoot.appendingPathComponent(fixture).path)
    }

    /// Lines that stress the reader at a cut: CR LF endings, blank lines, a line longer than the 4096-byte
    /// limit, an error frame, an FD frame, a malformed line, a segmented message around them, and no newline
    /// at the end.
    @Test func awkwardLinesGiveTheSameOutputAtEveryCut() throws {
        var text = "(1700000000.000100) can0 7E0#0322F190AAAAAAAA\r\n"
        text += "(1700000000.000200) can0 7E8#100B62F190313233\n\n"
        text += "(1700000000.000300) can0 " + String(repeating: "A", count: 5000) + "\n"
        text += "(1700000000.000400) can0 7E0#3000000000000000\n"
        text += "(1700000000.000500) can0 20000004#0004000000000000\n"
        text += "(1700000000.000600) can0 1A0##1112233\n"
        text += "(1700000000.000700) can0 7E8#2134353637383930\n"
        text += "(1700000000.000800) can0 7E8#21G4\n"
        text += "   \n(1700000000.000900) can0 0B4#00112233 R\n"
        text += "(1700000000.001000) can0 7E0#0319020900000000\n"
        text += "(1700000000.001100) can0 7E8#0759020900C46409"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cardiag-chunked-\(getpid()).log").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.checkEveryCut(path)
    }
}
