import CANCore
import Testing

@testable import CANLog

/// The reader's fast path for frames a ``FrameSelection`` leaves out must change nothing but speed: a reader
/// with a selection hands out exactly the frames a reader without one hands out and the selection keeps,
/// with the same counts, errors, last timestamp and timestamp regressions, in every chunking.
@Suite struct CandumpLineSkimmerTests {
    /// Selects 11-bit ids from 0x700 and the 29-bit group 0x18DA, like the decoder's tracker.
    static let selection = FrameSelection(standardID: { $0 >= 0x700 }, extendedGroup: { $0 == 0x18DA })

    /// Lines in the fast shape and near misses of it, each in the middle of a log of plain broadcast lines
    /// (so that the fast path is running when it meets them).
    static let lines: [String] = [
        "(1700000000.000230) can0 423#5E609F3A26C3472B",
        "(1700000000.000230) can0 7E8#0659028000C400AA",
        "(1700000000.000230) can0 7FF#",
        "(1700000000.000230) can0 800#1122",
        "(1700000000.000230) can0 FFF#1122",
        "(1700000000.000230) can0 12#1122",
        "(1700000000.000230) can0 1234#1122",
        "(1700000000.000230) can0 123456789#1122",
        "(1700000000.000230) can0 00000123#1122334455667788",
        "(1700000000.000230) can0 18DAF1C7#0659028000C400",
        "(1700000000.000230) can0 18DBF1C7#0659028000C400",
        "(1700000000.000230) can0 1FFFFFFF#00",
        "(1700000000.000230) can0 20000080#0000000000000000",
        "(1700000000.000230) can0 3FFFFFFF#00",
        "(1700000000.000230) can0 123#abcdef0123456789",
        "(1700000000.000230) can0 123#AbCdEf",
        "(1700000000.000230) can0 123#112233445566778899",
        "(1700000000.000230) can0 123#1122334",
        "(1700000000.000230) can0 123#11.22.33",
        "(1700000000.000230) can0 123#R",
        "(1700000000.000230) can0 123#R5",
        "(1700000000.000230) can0 123##1AABBCCDDEEFF00112233",
        "(1700000000.000230) can0 123#1122334455667788_C",
        "(1700000000.000230) can0 123#11G2",
        "(1700000000.000230) can0 123#1122 R",
        "(1700000000.000230) can0 123#1122 T ",
        "(1700000000.000230) can0 123#1122 X",
        "(1700000000.000230) can0 123#1122\r",
        "(1700000000.000230) can0 123#1122 ",
        "(1700000000.000230)\tcan0 123#1122",
        "(1700000000.000230) can0\t123#1122",
        "(1700000000.000230)  can0 123#1122",
        "(1700000000.000230) can0  123#1122",
        " (1700000000.000230) can0 123#1122",
        "(1700000000.000230) vcan-with-long 123#1122",
        "(1700000000.000230) vcan-with-longer 123#1122",
        "(1700000000.000230) c\u{1}n0 123#1122",
        "(1700000000.000230) cän0 123#1122",
        "(1700000000.000230) ) 123#1122",
        "(1700000000) can0 123#1122",
        "(.000230) can0 123#1122",
        "(1700000000.) can0 123#1122",
        "(1700000000.5) can0 123#1122",
        "(0.000000001) can0 123#1122",
        "(123456789012345678.123456789012345678) can0 123#1122",
        "(1234567890123456789.1) can0 123#1122",
        "(1.1234567890123456789) can0 123#1122",
        "(1699999999.999999) can0 123#1122",
        "(1700000000.000230 can0 123#1122",
        "1700000000.000230) can0 123#1122",
        "(17000a0000.000230) can0 123#1122",
        "(1700000000.000230) can0 123",
        // The shape of the lines around them (checked a word at a time), one byte off.
        "(1700000000.0002x0) can0 423#5E609F3A26C3472B",
        "(1700000000,000230) can0 123#1122",
        "(1700000000.000230] can0 123#1122",
        "(1700000000.000230)_can0 123#1122",
        "(1700000000.000230) can1 123#1122",
        "(1700000000.000230) can0_123#1122",
        "(1700000000.000230) can 123#1122",
        "(1700000000.000230) can0 7e8#0659028000C400AA",
        "(1700000000.000230) can0 abc#1122",
        "(1700000000.000050) can0 123#1122",
        "(0700000000.000230) can0 123#1122",
        "(9999999999.999999) can0 123#1122",
        "(1700000000.0001) can0 123#1122",
        "(1700000000.0001050) can0 123#1122",
        "(1700000000.000230) can0\u{80} 123#1122",
        "",
        "   ",
        "# a comment",
    ]

    static func log(around line: String) -> [UInt8] {
        var text = ""
        for index in 0..<6 { text += "(1700000000.00010\(index)) can0 1A0#10082E003F00000\(index)\n" }
        text += line + "\n"
        for index in 0..<6 { text += "(1700000000.00030\(index)) can0 1A0#10082E003F00000\(index)\n" }
        return Array(text.utf8)
    }

    struct Outcome: Equatable {
        var frames: [CANFrame]
        var passedOver: Int
        var linesRead: Int
        var skipped: Int
        var metadataLines: Int
        var issues: [String]
        var lastTimestamp: Duration?
        var timestampRegressions: Int
    }

    static func read(
        _ bytes: [UInt8], format: LogFormat = .candumpLog, chunkSize: Int?, selection: FrameSelection?,
        maximumLineLength: Int = 4096
    ) throws -> Outcome {
        let options = LogReader.Options(
            format: format, maximumLineLength: maximumLineLength, selection: selection)
        let reader = try LogReader(
            source: MemoryByteSource(bytes, chunkSize: chunkSize), name: "test", options: options)
        var frames: [CANFrame] = []
        var passedOver = 0
        while let frame = try reader.next() {
            // Without a selection, the frames a selection would leave out are counted here instead.
            if selection == nil, frame.isDataFrame, !Self.selection.contains(frame.id) {
                passedOver += 1
            } else {
                frames.append(frame)
            }
        }
        return Outcome(
            frames: frames, passedOver: passedOver + reader.framesPassedOver, linesRead: reader.linesRead,
            skipped: reader.skipped, metadataLines: reader.metadataLines, issues: reader.issues.map(\.description),
            lastTimestamp: reader.lastTimestamp, timestampRegressions: reader.timestampRegressions)
    }

    @Test(arguments: lines)
    func aSelectionChangesNothingButSpeed(line: String) throws {
        let bytes = Self.log(around: line)
        let expected = try Self.read(bytes, chunkSize: nil, selection: nil)
        for chunkSize in [nil, 1, 7, 47, 100] as [Int?] {
            let skimmed = try Self.read(bytes, chunkSize: chunkSize, selection: Self.selection)
            #expect(skimmed == expected, "\(line) in chunks of \(chunkSize.map(String.init) ?? "all")")
        }
    }

    @Test func linesPassedOverAreCountedWithTheirTimestamps() throws {
        let text = """
            (1700000000.000100) can0 1A0#1122334455667788
            (1700000000.000300) can0 1A0#1122334455667788
            (1700000000.000200) can0 1A0#1122334455667788
            (1700000000.000200) can0 1A0#1122334455667788
            (1699999999.900000) can0 1A0#1122334455667788
            (1700000000.000400) can0 7E8#0659028000C400AA
            (1700000001.25) can0 1A0#1122334455667788
            (1700000001.5) can0 1A0#1122334455667788

            """
        let reader = try LogReader(
            source: MemoryByteSource(Array(text.utf8)), name: "test", options: .init(selection: Self.selection))
        let frames = try reader.readAll()
        #expect(frames.map(\.id) == [.standard(0x7E8)!])
        #expect(reader.framesPassedOver == 7)
        #expect(reader.linesRead == 8)
        #expect(reader.timestampRegressions == 2)
        #expect(reader.lastTimestamp == .seconds(1_700_000_001) + .milliseconds(500))
    }

    @Test func aLineLongerThanTheLimitIsReportedNotSkimmed() throws {
        let bytes = Self.log(around: "(1700000000.000230) can0 123#1122334455667788")
        for limit in [40, 46, 47, 60] {
            let expected = try Self.read(bytes, chunkSize: nil, selection: nil, maximumLineLength: limit)
            let skimmed = try Self.read(bytes, chunkSize: nil, selection: Self.selection, maximumLineLength: limit)
            #expect(skimmed == expected, "limit \(limit)")
        }
    }

    /// Lines made of the bytes that matter to the format, at random (a fixed seed): whatever they hold, a
    /// selection changes nothing.
    @Test func randomLinesReadTheSameWithASelection() throws {
        var random = SplitMix64(seed: 0x5EED)
        let alphabet = Array("0123456789ABCDEFabcdefGRT()#._ \t\r".utf8) + [0x01, 0xC3]
        let template = Array("(1700000000.000230) can0 123#1122334455667788".utf8)
        var text: [UInt8] = []
        for index in 0..<4000 {
            var line = index % 3 == 0 ? Array("(1700000000.18DA\(index)) can0 18DAF1C7#0659".utf8) : template
            SplitMix64.mutate(&line, from: alphabet, using: &random)
            text += line + [0x0A]
        }
        let expected = try Self.read(text, chunkSize: nil, selection: nil)
        #expect(expected.skipped > 100 && expected.passedOver > 1000)
        for chunkSize in [nil, 13, 4096] as [Int?] {
            #expect(try Self.read(text, chunkSize: chunkSize, selection: Self.selection) == expected)
        }
    }
}

/// The same for pcap: packets on ids a selection leaves out are only counted once the byte order is known.
@Suite struct PcapSelectionTests {
    /// A pcap (microsecond, big-endian can_id, LINKTYPE_CAN_SOCKETCAN) of `records`: can_id, length, flags,
    /// data bytes captured.
    static func pcap(
        _ records: [(id: UInt32, length: UInt8, flags: UInt8, captured: Int)],
        time: (Int) -> (seconds: UInt32, fraction: UInt32) = {
            (1_700_000_000 + UInt32($0 / 3), UInt32($0 % 3) * 400_000 + ($0 % 5 == 4 ? 0 : 7))
        }
    ) -> [UInt8] {
        var bytes: [UInt8] =
            [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0] + [UInt8](repeating: 0, count: 8) + [0, 0, 4, 0, 227, 0, 0, 0]
        for (index, record) in records.enumerated() {
            func little(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
            let packet =
                [
                    UInt8(record.id >> 24), UInt8(truncatingIfNeeded: record.id >> 16),
                    UInt8(truncatingIfNeeded: record.id >> 8),
                    UInt8(truncatingIfNeeded: record.id), record.length, record.flags, 0, 0,
                ]
                + (0..<record.captured).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ index) }
            let (seconds, fraction) = time(index)
            bytes += little(seconds) + little(fraction)
            bytes += little(UInt32(packet.count)) + little(UInt32(packet.count)) + packet
        }
        return bytes
    }

    static let records: [(id: UInt32, length: UInt8, flags: UInt8, captured: Int)] = [
        (0x1A0, 8, 0, 8), (0x7E8, 8, 0, 8), (0x123, 3, 0, 8), (0x800, 8, 0, 8), (0x8000_0123, 8, 0, 8),
        (0x98DA_F1C7, 8, 0, 8), (0x98DB_F1C7, 8, 0, 8), (0x4000_0123, 4, 0, 0), (0x2000_0004, 8, 0, 8),
        (0x1A0, 12, 0x04, 12), (0x1A0, 13, 0x04, 16), (0x1A0, 64, 0, 64), (0x1A0, 8, 0x04, 8), (0x1A0, 8, 0, 4),
        (0x1A0, 8, 0x80, 8), (0x1A0, 9, 0, 9), (0x1A0, 0, 0, 0), (0x7FF, 2, 0, 64), (0x7E0, 8, 0, 8),
    ]

    @Test func aSelectionChangesNothingButSpeed() throws {
        // Each record after a plain one (which settles the byte order), and before it.
        for record in Self.records {
            let bytes = Self.pcap([record, (0x1A0, 8, 0, 8), record, (0x1A0, 8, 0, 8), record])
            let expected = try CandumpLineSkimmerTests.read(bytes, format: .pcap, chunkSize: nil, selection: nil)
            for chunkSize in [nil, 5, 33] as [Int?] {
                let skimmed = try CandumpLineSkimmerTests.read(
                    bytes, format: .pcap, chunkSize: chunkSize, selection: CandumpLineSkimmerTests.selection)
                #expect(skimmed == expected, "\(record)")
            }
        }
    }

    @Test func randomPacketsReadTheSameWithASelection() throws {
        var random = SplitMix64(seed: 0xCA9)
        var records: [(id: UInt32, length: UInt8, flags: UInt8, captured: Int)] = []
        for _ in 0..<3000 {
            var record = Self.records[Int(random.next() % UInt64(Self.records.count))]
            if random.next() % 4 == 0 { record.id ^= 1 << UInt32(random.next() % 32) }
            if random.next() % 8 == 0 { record.length = UInt8(random.next() % 80) }
            if random.next() % 8 == 0 { record.flags = UInt8(truncatingIfNeeded: random.next()) }
            records.append(record)
        }
        // Mostly rising timestamps; now and then an earlier one, an equal one, or a fraction of a second out of range.
        let times = (0..<records.count).map { index -> (seconds: UInt32, fraction: UInt32) in
            let fraction = UInt32(truncatingIfNeeded: random.next() % 1_000_000)
            switch random.next() % 16 {
            case 0: return (1_700_000_000 + UInt32(index / 4) - 1, fraction)
            case 1: return (1_700_000_000 + UInt32(index / 4), 999_999 + UInt32(random.next() % 3_000_000))
            case 2: return (UInt32.max, UInt32.max)
            case 3, 4: return (1_700_000_000 + UInt32(index / 4), 0)
            default: return (1_700_000_000 + UInt32(index / 4), fraction)
            }
        }
        let bytes = Self.pcap(records, time: { times[$0] })
        let expected = try CandumpLineSkimmerTests.read(bytes, format: .pcap, chunkSize: nil, selection: nil)
        #expect(expected.skipped > 100 && expected.passedOver > 1000 && expected.timestampRegressions > 500)
        for chunkSize in [nil, 29, 4096] as [Int?] {
            let skimmed = try CandumpLineSkimmerTests.read(
                bytes, format: .pcap, chunkSize: chunkSize, selection: CandumpLineSkimmerTests.selection)
            #expect(skimmed == expected)
        }
    }
}

/// A small seeded generator (SplitMix64), so random tests repeat.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// The same for GVRET CSV: lines on ids a selection leaves out are only checked and counted.
@Suite struct GVRETCSVSelectionTests {
    static let header = "Time Stamp,ID,Extended,Dir,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8\n"

    static let lines: [String] = [
        "1700000000000230,00000423,false,Rx,0,8,5E,60,9F,3A,26,C3,47,2B,",
        "1700000000000230,000007E8,false,Rx,0,8,06,59,02,80,00,C4,00,AA,",
        "1700000000000230,0x423,FALSE,Tx,1,3,5,6,7",
        "1700000000000230,18DAF1C7,true,Rx,0,8,06,59,02,80,00,C4,00,AA,",
        "1700000000000230,18DBF1C7,1,Rx,0,2,06,59,,,,,,,",
        "1700000000000230,00000800,false,Rx,0,2,06,59",
        "1700000000000230,20000000,true,Rx,0,2,06,59",
        "1700000000000230,423,0,Rx,0,12,00,11,22,33,44,55,66,77,88,99,AA,BB",
        "1700000000000230,423,0,Rx,0,9,00,11,22,33,44,55,66,77,88",
        "1700000000000230,423,0,Rx,0,65,00",
        "1700000000000230,423,0,Rx,0,3,00,11",
        "1700000000000230,423,0,Rx,0,2,00,11,zz,??",
        "1700000000000230,423,0,Rx,0,2,0G,11",
        "1700000000000230,423,0,Rx,0,2,001,11",
        "1700000000000230,423,maybe,Rx,0,2,00,11",
        "1700000000000230,423,0,Rx,,2,00,11",
        "1700000000000230,423,0,Rx,x,2,00,11",
        "1700000000000230,,0,Rx,0,2,00,11",
        "1700000000000230,0x,0,Rx,0,2,00,11",
        "1700000000000230,123456789,1,Rx,0,2,00,11",
        ",423,0,Rx,0,2,00,11",
        "1234567890123456789,423,0,Rx,0,2,00,11",
        " 1700000000000230,423,0,Rx,0,2,00,11",
        "1700000000000230,423,0,Rx,0,2,00,11\r",
        "1700000000000230,423,0,Rx,0,0",
        "1700000000000230",
        "",
        "Time Stamp,ID,Extended,Dir,Bus,LEN,D1,D2",
        // The shape of the lines around them (checked as bytes, see GVRETLineSkimmer), one byte off.
        "1700000000000230,000001A0,false,Rx,0,8,10,08,2E,00,3F,00,00,0G,",
        "1700000000000230,000001a0,false,Rx,0,8,10,08,2e,00,3f,00,00,0a,",
        "17000000000002x0,000001A0,false,Rx,0,8,10,08,2E,00,3F,00,00,00,",
        "1700000000000050,000001A0,false,Rx,0,8,10,08,2E,00,3F,00,00,00,",
        "0700000000000230,000001A0,false,Rx,0,8,10,08,2E,00,3F,00,00,00,",
        "1700000000000230,000001A0,False,Rx,0,8,10,08,2E,00,3F,00,00,00,",
        "1700000000000230,000001A0,falsE,Rx,0,8,10,08,2E,00,3F,00,00,00,",
        "1700000000000230,000001A0,false,Tx,0,8,10,08,2E,00,3F,00,00,00,",
        "1700000000000230,000001A0,false,Rx,7,8,10,08,2E,00,3F,00,00,00,",
        "1700000000000230,000001A0,false,Rx,0,9,10,08,2E,00,3F,00,00,00,",
        "1700000000000230,000001A0,false,Rx,0,4,10,08,2E,00,3F,00,00,00,",
        "1700000000000230,000007E8,false,Rx,0,8,10,08,2E,00,3F,00,00,00,",
        "1700000000000230,000007FF,false,Rx,0,8,10,08,2E,00,3F,00,00,00,",
        "1700000000000230,00000800,false,Rx,0,8,10,08,2E,00,3F,00,00,00,",
        "1700000000000230,F00001A0,false,Rx,0,8,10,08,2E,00,3F,00,00,00,",
        "1700000000000230,000001A0,false,Rx,0,8,10,08,2E,00,3F,00,00,00;",
        "1700000000000230;000001A0,false,Rx,0,8,10,08,2E,00,3F,00,00,00,",
        "1700000000000230,000001A0,false,Rx,0,8,10,08,2E,00,3F,00,00,00,\r",
        "1700000000000230,000001A0,false,Rx,0,8,10,08,2E,00,3F,00,00,0,",
        "1700000000000230,000001A0,false,Rx,0,8,10,08,2E,00,3F,00,00,000",
        "1700000000000230,000001A0,false,Rx,0,8,10,08,2E,00,3F,00,00,00,,",
        "1700000000000230,000001A0,false,Rx,0,8,10,08,2E,00,3F,00,00,00,\u{80}",
    ]

    static func log(around line: String) -> [UInt8] {
        var text = header
        for index in 0..<4 { text += "170000000000010\(index),000001A0,false,Rx,0,8,10,08,2E,00,3F,00,00,0\(index),\n" }
        text += line + "\n"
        for index in 0..<4 { text += "170000000000030\(index),000001A0,false,Rx,0,8,10,08,2E,00,3F,00,00,0\(index),\n" }
        return Array(text.utf8)
    }

    @Test(arguments: lines)
    func aSelectionChangesNothingButSpeed(line: String) throws {
        let bytes = Self.log(around: line)
        let expected = try CandumpLineSkimmerTests.read(bytes, format: .gvretCSV, chunkSize: nil, selection: nil)
        for chunkSize in [nil, 1, 7, 100] as [Int?] {
            let skimmed = try CandumpLineSkimmerTests.read(
                bytes, format: .gvretCSV, chunkSize: chunkSize, selection: CandumpLineSkimmerTests.selection)
            #expect(skimmed == expected, "\(line) in chunks of \(chunkSize.map(String.init) ?? "all")")
        }
    }

    /// Lines mutated at random (a fixed seed): whatever they hold, a selection changes nothing.
    @Test func randomLinesReadTheSameWithASelection() throws {
        var random = SplitMix64(seed: 0xC5F)
        let alphabet = Array("0123456789ABCDEFabcdefxX,truefalsRT \r".utf8) + [0x01, 0xC3]
        let templates = [
            "1700000000000230,00000423,false,Rx,0,8,5E,60,9F,3A,26,C3,47,2B,",
            "1700000000000230,18DBF1C7,true,Rx,0,3,06,59,02,,,,,,",
            "1700000000000230,7E8,0,Rx,1,8,06,59,02,80,00,C4,00,AA",
        ].map { Array($0.utf8) }
        var text = Array(Self.header.utf8)
        for index in 0..<4000 {
            var line = templates[index % templates.count]
            SplitMix64.mutate(&line, from: alphabet, using: &random)
            text += line + [0x0A]
        }
        let expected = try CandumpLineSkimmerTests.read(text, format: .gvretCSV, chunkSize: nil, selection: nil)
        #expect(expected.skipped > 100 && expected.passedOver > 800)
        for chunkSize in [nil, 13] as [Int?] {
            #expect(
                try CandumpLineSkimmerTests.read(
                    text, format: .gvretCSV, chunkSize: chunkSize, selection: CandumpLineSkimmerTests.selection)
                    == expected)
        }
    }
}

/// Long stretches of lines in one layout, the way GVRET writes them, so that most lines go through the buffer-level
/// skimmer (`GVRETLineSkimmer`); one line in four is edited at random (a fixed seed).
@Suite struct GVRETLineSkimmerTests {
    @Test func randomStretchesReadTheSameWithASelection() throws {
        var random = SplitMix64(seed: 0x65E7)
        let alphabet = Array("0123456789ABCDEFabcdefxX,truefalsRT \r".utf8) + [0x01, 0xC3]
        let ids = ["000001A0", "000007E8", "000007FF", "00000800", "0000a1a0", "18DAF1C7", "18DBF1C7", "1FFFFFFF"]
        let layouts: [(Int, String) -> String] = [
            { "\(1_700_000_000_000_000 + $0),\($1),false,Rx,0,8,10,08,2E,00,3F,00,00,00," },
            { "\(1_700_000_000_000_000 + $0),\($1),true,Rx,1,8,10,08,2E,00,3F,00,00,00,\r" },
            { "\(1_700_000_000 + $0),0x\($1),1,Rx,2,3,1,08,2E" },
            { "\($0),\($1),0,Rx,0,0,,,,,,,,," },
        ]
        var text = Array(GVRETCSVSelectionTests.header.utf8)
        for stretch in 0..<120 {
            let layout = layouts[stretch % layouts.count]
            for _ in 0..<50 {
                // Mostly rising timestamps, now and then an earlier one.
                let time = 100_000 + stretch * 1_000 + Int(random.next() % 1_000)
                var line = Array(layout(time, ids[Int(random.next() % UInt64(ids.count))]).utf8)
                if random.next() % 4 == 0 { SplitMix64.mutate(&line, from: alphabet, using: &random) }
                text += line + [0x0A]
            }
        }
        let expected = try CandumpLineSkimmerTests.read(text, format: .gvretCSV, chunkSize: nil, selection: nil)
        #expect(expected.skipped > 100 && expected.passedOver > 2000 && expected.timestampRegressions > 500)
        for chunkSize in [nil, 13, 4096] as [Int?] {
            #expect(
                try CandumpLineSkimmerTests.read(
                    text, format: .gvretCSV, chunkSize: chunkSize, selection: CandumpLineSkimmerTests.selection)
                    == expected)
        }
    }

    /// The id read eight bytes at a time, against the byte-by-byte parser's value, for every length of id.
    @Test func hexValuesReadEightBytesAtATime() {
        var random = SplitMix64(seed: 0x8E8)
        let digits = Array("0123456789ABCDEFabcdef".utf8)
        for _ in 0..<2000 {
            var bytes = (0..<8).map { _ in digits[Int(random.next() % UInt64(digits.count))] }
            let count = Int(random.next() % 8) + 1
            for index in count..<8 { bytes[index] = UInt8(truncatingIfNeeded: random.next()) }  // not the id's
            var word: UInt64 = 0
            for (index, byte) in bytes.enumerated() { word |= UInt64(byte) << UInt64(8 * index) }
            let expected = bytes[..<count].reduce(UInt32(0)) {
                $0 << 4 | UInt32(Int(String(UnicodeScalar($1)), radix: 16)!)
            }
            #expect(GVRETLineSkimmer.hexValue8(word) &>> UInt32(4 * (8 - count)) == expected, "\(bytes)")
        }
    }
}

extension SplitMix64 {
    /// Up to three random edits of `line` (a byte removed, replaced or inserted from `alphabet`), the same for
    /// a given generator state.
    static func mutate(_ line: inout [UInt8], from alphabet: [UInt8], using random: inout SplitMix64) {
        for _ in 0..<Int(random.next() % 4) {
            let position = Int(random.next() % UInt64(line.count + 1))
            switch random.next() % 3 {
            case 0 where position < line.count: line.remove(at: position)
            case 1 where position < line.count: line[position] = alphabet[Int(random.next() % UInt64(alphabet.count))]
            default: line.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: position)
            }
        }
    }
}
