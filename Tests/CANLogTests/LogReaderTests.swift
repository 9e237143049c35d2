import CANCore
import CANLog
import Foundation
import Testing

@Suite struct LogReaderTests {
    static let candump = Array(
        """
        (1700000000.000000) can0 7DF#0201000000000000
        (1700000000.012345) can0 7E8#0641008000000100
        (1700000000.100000) can1 18DAF1C7#0659028000C400
        (1700000000.200000) can0 123#R5
        (1700000000.300000) can0 456##1AABBCCDDEEFF001122334455
        (1700000000.400000) can0 20000080#0000000000000000

        """.utf8)

    @Test(arguments: [1, 2, 3, 7, 16, 64, 4096])
    func everyChunkingGivesTheSameFrames(chunkSize: Int) throws {
        for path in allFixtureLogs {
            let bytes = try fixtureBytes(path)
            let whole = try readFrames(bytes).frames
            let chunked = try readFrames(bytes, chunkSize: chunkSize).frames
            #expect(chunked == whole, "\(path) in chunks of \(chunkSize)")
            #expect(!whole.isEmpty, "\(path)")
        }
    }

    @Test func smallBuffersStillSplitLinesCorrectly() throws {
        let options = LogReader.Options(maximumLineLength: 80, bufferSize: 100)
        let (frames, reader) = try readFrames(Self.candump, chunkSize: 5, options: options)
        #expect(lines(frames) == lines(try readFrames(Self.candump).frames))
        #expect(reader.linesRead == 6 && reader.skipped == 0)
    }

    @Test(arguments: [
        ("candump/frames.log", LogFormat.candumpLog), ("candump/frames.log.gz", .candumpLog),
        ("candump/malformed.log", .candumpLog), ("screen/candump-screen.txt", .candumpScreen),
        ("csv/savvycan-dir.csv", .gvretCSV), ("csv/gvret.csv", .gvretCSV), ("asc/vector.asc", .vectorASC),
        ("ecomcat/ecomcat.dat", .ecomCat), ("pcap/socketcan-be.pcap", .pcap), ("pcap/socketcan-le-id-ns.pcap", .pcap),
        ("pcap/socketcan.pcapng", .pcapng), ("demo/toyota-dcm-b15c4.log", .candumpLog),
    ])
    func detectsTheFormat(path: String, format: LogFormat) throws {
        let (_, reader) = try readFrames(try fixtureBytes(path))
        #expect(reader.format == format)
        #expect(reader.isCompressed == path.hasSuffix(".gz"))
    }

    @Test func readsGzipIncludingConcatenatedMembers() throws {
        let gzip = try fixtureBytes("candump/frames.log.gz")
        let plain = try readFrames(try fixtureBytes("candump/frames.log")).frames
        #expect(try readFrames(gzip, chunkSize: 1).frames == plain)
        let (twice, reader) = try readFrames(gzip + gzip, chunkSize: 13)
        #expect(twice == plain + plain)
        #expect(reader.isCompressed)
    }

    /// A member whose CRC does not match (zlib says so in the call that inflates the last bytes): every frame is
    /// delivered before the error, whatever size the compressed reads come in.
    @Test(arguments: [1, 7, 100, 1 << 16])
    func everyFrameBeforeABadGzipChecksum(chunkSize: Int) throws {
        let gzip = try fixtureBytes("candump/frames.log.gz")
        let plain = try readFrames(try fixtureBytes("candump/frames.log")).frames
        var corrupt = gzip
        corrupt[gzip.count - 8] ^= 0xFF  // the trailer's CRC-32
        let reader = try LogReader(source: MemoryByteSource(corrupt, chunkSize: chunkSize), name: "test")
        var frames: [CANFrame] = []
        #expect(throws: LogError(.badCompressedData, at: LogLocation(file: "test"), "")) {
            while let frame = try reader.next() { frames.append(frame) }
        }
        #expect(frames == plain)
    }

    @Test func reportsCorruptOrTruncatedGzip() throws {
        let gzip = try fixtureBytes("candump/frames.log.gz")
        #expect(throws: LogError(.badCompressedData, at: LogLocation(file: "test"), "")) {
            try readFrames(Array(gzip[0..<(gzip.count - 30)]))
        }
        var corrupt = gzip
        corrupt[20] ^= 0xFF
        corrupt[21] ^= 0xFF
        #expect(throws: LogError(.badCompressedData, at: LogLocation(file: "test"), "")) {
            try readFrames(corrupt)
        }
    }

    @Test func skipsAndCountsBadLinesWithLocations() throws {
        let (frames, reader) = try readFrames(try fixtureBytes("candump/malformed.log"), name: "capture.log")
        #expect(frames.count == 3)
        #expect(reader.skipped == 6 && reader.linesRead == 9)
        #expect(reader.issues.map(\.description) == [
            "capture.log:2:35: expected a hex digit in the data, found the end of the line",
            "capture.log:3:41: expected a hex digit in the data, found 'G'",
            "capture.log:5:26: standard CAN id FFF is above 7FF",
            "capture.log:6:1: expected '(' and a timestamp, found '1'",
            "capture.log:8:46: more than 8 data bytes",
            "capture.log:9:26: CAN FD frame with 9 data bytes (valid: 0-8, 12, 16, 20, 24, 32, 48, 64)",
        ])
    }

    @Test func strictModeStopsAtTheFirstBadLine() throws {
        let bytes = try fixtureBytes("candump/malformed.log")
        let reader = try LogReader(
            source: MemoryByteSource(bytes), name: "capture.log", options: LogReader.Options(strict: true))
        #expect(try reader.next() != nil)
        #expect {
            try reader.next()
        } throws: { error in
            (error as? LogError)?.description == "capture.log:2:35: expected a hex digit in the data, found the end of the line"
        }
    }

    @Test func keepsOnlyTheFirstIssuesButCountsAll() throws {
        let bytes = Array(String(repeating: "(1.0) can0 7E8#G\n", count: 50).utf8) + Self.candump
        let (frames, reader) = try readFrames(bytes, options: LogReader.Options(format: .candumpLog, maximumIssuesKept: 3))
        #expect(frames.count == 6 && reader.skipped == 50 && reader.issues.count == 3)
    }

    @Test func overLongLinesHaveTheirOwnError() throws {
        let long = Array(("(1.0) can0 7E8#" + String(repeating: "00", count: 3000)).utf8)
        for chunkSize in [nil, 1, 100] as [Int?] {
            let bytes = Self.candump + long + [0x0A] + Self.candump + long
            let options = LogReader.Options(maximumLineLength: 4096, bufferSize: 8192)
            let (frames, reader) = try readFrames(bytes, chunkSize: chunkSize, options: options, name: "long.log")
            #expect(frames.count == 12)
            #expect(reader.skipped == 2 && reader.linesRead == 14)
            #expect(reader.issues.map(\.description) == [
                "long.log:7:4097: line longer than 4096 bytes", "long.log:14:4097: line longer than 4096 bytes",
            ])
            #expect(reader.issues.allSatisfy { $0.code == .lineTooLong })
        }
    }

    @Test func emptyInputAndGarbageAreUnknownFormats() throws {
        #expect {
            try readFrames([])
        } throws: { error in
            (error as? LogError)?.description == "test: the input is empty, so its format cannot be detected"
        }
        var generator = SystemRandomNumberGenerator()
        let garbage = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(throws: LogError(.unknownFormat, at: LogLocation(file: "test"), "")) { try readFrames(garbage) }
        // With the format given, garbage is bad lines, not a crash. (Lines of bytes above 0x7F, so that none can be
        // blank or a comment: random bytes made a blank line now and then, which is not a skipped line.)
        let lines = (0..<5000).map { $0 % 50 == 49 ? 0x0A : UInt8.random(in: 0x80...0xFF, using: &generator) }
        let (frames, reader) = try readFrames(lines, options: LogReader.Options(format: .candumpLog))
        #expect(frames.isEmpty && reader.skipped == reader.linesRead && reader.linesRead == 100)
        let (none, empty) = try readFrames([], options: LogReader.Options(format: .gvretCSV))
        #expect(none.isEmpty && empty.linesRead == 0)
    }

    @Test func nonUTF8BytesAreReportedNotFatal() throws {
        let bytes = Array("(1.0) can0 7E8#01\n(1.0) c\u{0}n0 7E8#0\u{FF}\n(1.0) can0 7E8#02\n".utf8) + [0xFE, 0x0A]
        let (frames, reader) = try readFrames(bytes, name: "t")
        #expect(lines(frames) == ["(0000000001.000000) can0 7E8#01", "(0000000001.000000) can0 7E8#02"])
        #expect(reader.issues.map(\.description) == [
            "t:2:17: expected a hex digit in the data, found byte 0xC3", "t:4:1: expected '(' and a timestamp, found byte 0xFE",
        ])
    }

    @Test func countsTimestampsGoingBackwards() throws {
        let text = "(2.0) can0 7E8#01\n(1.0) can0 7E8#02\n(1.5) can0 7E8#03\n(1.5) can0 7E8#04\n"
        let (frames, reader) = try readFrames(Array(text.utf8))
        #expect(frames.count == 4 && reader.timestampRegressions == 1)
    }

    @Test func readsFromAFileAndReportsMissingFiles() throws {
        let reader = try LogReader(path: fixturesDirectory.appendingPathComponent("demo/toyota-dcm-b15c4.log").path)
        let frames = try reader.readAll()
        #expect(frames.count == 76 && reader.skipped == 0)
        #expect(frames.contains { $0.id == CANIdentifier.standard(0x758)! && $0.data.bytes.starts(with: [0xC7, 0x10]) })
        #expect {
            try LogReader(path: "/nonexistent/capture.log")
        } throws: { error in
            (error as? LogError)?.description == "/nonexistent/capture.log: cannot open: No such file or directory"
                && (error as? LogError)?.code == .fileNotFound
        }
    }
}

@Suite struct CandumpLogWriterTests {
    @Test func writesEveryKindLikeCandump() throws {
        let writer = CandumpLogWriter()
        let at = Duration(secondsComponent: 1_700_000_000, attosecondsComponent: 123_456_789_000_000_000)
        let frames: [(CANFrame, String)] = [
            (try CANFrame.classic(id(0x7E8), [0x06, 0x59], timestamp: at, interface: "can0"),
             "(1700000000.123456) can0 7E8#0659"),
            (try CANFrame.classic(id(0x18DA_F1C7), [], timestamp: .seconds(1)), "(0000000001.000000) can0 18DAF1C7#"),
            (try CANFrame(id: id(0x5), kind: .remote(requestedLength: 0), data: []), "(0000000000.000000) can0 005#R"),
            (try CANFrame(id: id(0x5), kind: .remote(requestedLength: 8), data: []), "(0000000000.000000) can0 005#R8"),
            (try CANFrame(id: id(0x5), kind: .remote(requestedLength: 12), data: []),
             "(0000000000.000000) can0 005#R8_C"),
            (try CANFrame(id: id(0x456), kind: .fd([.bitRateSwitch]), data: [0xAA], interface: "vcan1"),
             "(0000000000.000000) vcan1 456##1AA"),
            (try CANFrame(id: id(0x80), kind: .error([.busError]), data: CANPayload(repeating: 0, count: 8)),
             "(0000000000.000000) can0 20000080#0000000000000000"),
        ]
        for (frame, expected) in frames {
            #expect(writer.line(for: frame) == expected)
        }
        var output: [UInt8] = []
        writer.append(frames[0].0, to: &output)
        #expect(output == Array("(1700000000.123456) can0 7E8#0659\n".utf8))
    }

    /// Frames equal after what the candump log format keeps: microseconds, and an interface for every frame.
    static func normalised(_ frame: CANFrame) -> CANFrame {
        var copy = frame
        if let timestamp = frame.timestamp, timestamp > .zero {
            let (seconds, attoseconds) = timestamp.components
            copy.timestamp = Duration(
                secondsComponent: seconds, attosecondsComponent: attoseconds / 1_000_000_000_000 * 1_000_000_000_000)
        } else {
            copy.timestamp = .zero
        }
        copy.interface = frame.interface ?? "can0"
        return copy
    }

    @Test(arguments: allFixtureLogs)
    func roundTripsEveryFixture(path: String) throws {
        let original = try readFrames(try fixtureBytes(path)).frames
        var written: [UInt8] = []
        for frame in original { CandumpLogWriter().append(frame, to: &written) }
        let (reread, reader) = try readFrames(written)
        #expect(reader.format == .candumpLog && reader.skipped == 0)
        #expect(reread == original.map(Self.normalised))
    }
}
