import CANCore
import CANLog
import Testing

@Suite struct CandumpScreenParserTests {
    @Test(arguments: [
        ("  can0  7E8   [8]  06 59 02 FF 95 C4 00 AA", "(0000000000.000000) can0 7E8#065902FF95C400AA"),
        ("  can0  18DAF1C7   [3]  59 02 FF", "(0000000000.000000) can0 18DAF1C7#5902FF"),
        (" (1700000000.123456)  can0  123   [3]  11 22 33", "(1700000000.123456) can0 123#112233"),
        (" (000.002000)  can0  123   [1]  11", "(0000000000.002000) can0 123#11"),
        (" (2023-11-19 11:57:59.123456)  can0  7DF   [1]  02", "(1700395079.123456) can0 7DF#02"),
        ("  can0  123   [5]  remote request", "(0000000000.000000) can0 123#R5"),
        ("  can1  RX B -  456  [12]  00 11 22 33 44 55 66 77 88 99 AA BB",
         "(0000000000.000000) can1 456##100112233445566778899AABB"),
        ("  can1  TX B E  457  [02]  01 02", "(0000000000.000000) can1 457##30102"),
        ("  can0  RX - -  7E0   [2]  02 10", "(0000000000.000000) can0 7E0#0210"),
        ("  can0  20000080   [8]  00 00 00 00 00 00 00 00   ERRORFRAME", "(0000000000.000000) can0 20000080#0000000000000000"),
        ("  can0  321   [0] ", "(0000000000.000000) can0 321#"),
        ("  can0  7E8   [4]  41 42 43 44                 'ABCD'", "(0000000000.000000) can0 7E8#41424344"),
        ("  can0   12   [1]  01", "(0000000000.000000) can0 012#01"),
    ])
    func parses(line: String, expected: String) throws {
        #expect(try render(CandumpScreenParser(), line) == expected)
    }

    @Test func explanationLinesAfterAnErrorFrameAreMetadata() throws {
        var parser = CandumpScreenParser()
        let lines = [
            "  can0  20000080   [8]  00 00 00 00 00 00 00 00   ERRORFRAME", "\tbus-error",
            "\terror-counter-tx-rx{{0}{0}}", "  can0  123   [1]  11",
        ]
        var outcomes: [String] = []
        for line in lines {
            switch try parser.parse(line: Array(line.utf8)) {
            case .frame(let frame): outcomes.append(frame.isDataFrame ? "data" : "error")
            case .metadata: outcomes.append("metadata")
            case .blank: outcomes.append("blank")
            }
        }
        #expect(outcomes == ["error", "metadata", "metadata", "data"])
        // Without an error frame before it, an indented line is not an explanation.
        #expect(throws: LineSyntaxError.self) { try render(CandumpScreenParser(), "\tbus-error") }
    }

    @Test(arguments: [
        ("  can0  7E8   [8]  06 59 0G", "27: expected a hex digit in the data, found 'G'"),
        ("  can0  7E8   [3]  06 59", "25: [3] announces 3 data bytes, the line ends after 2"),
        ("  can0  7E8   8  06", "15: expected '[' and the data length, found '8'"),
        ("  can0  7E8   [9]  06", "16: classic CAN frame with 9 data bytes"),
        ("  can0  7E8   [09]  06", "16: CAN FD frame with 9 data bytes (valid: 0-8, 12, 16, 20, 24, 32, 48, 64)"),
        ("  can0  XYZ   [1]  06", "9: expected a CAN id in hex, found 'X'"),
        ("  can0  7E8   [1]  06 07", "23: expected the end of the line, found '0'"),
    ])
    func rejects(line: String, expected: String) {
        #expect {
            try render(CandumpScreenParser(), line)
        } throws: { error in
            (error as? LineSyntaxError)?.description == expected
        }
    }
}

@Suite struct GVRETCSVParserTests {
    @Test(arguments: [
        ("Time Stamp,ID,Extended,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8",
         "7254438300,000007DF,false,1,8,02,01,00,00,00,00,00,00", "(0000007254.438300) bus1 7DF#0201000000000000"),
        ("Time Stamp,ID,Extended,Dir,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8",
         "0,000007B8,false,Rx,0,8,07,E2,06,88,40,00,10,00,", "(0000000000.000000) bus0 7B8#07E2068840001000"),
        ("Time Stamp,ID,Extended,Dir,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8",
         "12500,0x18DAF1C7,true,Tx,1,3,59,02,FF,,,,,,", "(0000000000.012500) bus1 18DAF1C7#5902FF"),
        ("Time Stamp,ID,Extended,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8", "5,7df,FALSE,0,0,,,,,,,,",
         "(0000000000.000005) bus0 7DF#"),
    ])
    func parses(header: String, line: String, expected: String) throws {
        var parser = GVRETCSVParser()
        #expect(try parser.parse(line: Array(header.utf8)) == .metadata)
        guard case .frame(let frame) = try parser.parse(line: Array(line.utf8)) else {
            Issue.record("no frame")
            return
        }
        #expect(CandumpLogWriter().line(for: frame) == expected)
    }

    @Test(arguments: [
        ("0,000007E0,false,0,8,02,10,03,00,00,00,00,0G", "44: expected a hex data byte, found 'G'"),
        ("0,000007E0,maybe,0,8,02,10,03,00,00,00,00,00", "12: expected 'true' or 'false', found 'm'"),
        ("0,000007E0,false,0,8,02,10", "27: expected 8 data bytes, found only 2"),
        ("x,000007E0,false,0,1,02", "1: expected a timestamp in microseconds, found 'x'"),
        ("0,00000800,false,0,1,02", "1: standard CAN id 800 is out of range"),
    ])
    func rejects(line: String, expected: String) throws {
        var parser = GVRETCSVParser()
        _ = try parser.parse(line: Array("Time Stamp,ID,Extended,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8".utf8))
        #expect {
            try parser.parse(line: Array(line.utf8))
        } throws: { error in
            (error as? LineSyntaxError)?.description == expected
        }
    }

    @Test func needsTheHeaderFirst() {
        var parser = GVRETCSVParser()
        #expect {
            try parser.parse(line: Array("0,000007E0,false,0,1,02".utf8))
        } throws: { error in
            (error as? LineSyntaxError)?.description
                == "1: expected the CSV header 'Time Stamp,ID,Extended,Bus,LEN,D1,...', found '0'"
        }
    }
}

@Suite struct VectorASCParserTests {
    static let header = ["date Sun Nov 19 11:57:59.123 am 2023", "base hex  timestamps absolute", "internal events logged"]

    @Test(arguments: [
        ("   0.010000 1  7E0             Tx   d 8 02 19 02 AF 00 00 00 00  Length = 240000 BitCount = 124 ID = 2016",
         "(0000000000.010000) ch1 7E0#021902AF00000000"),
        ("   0.030000 2  18DAF1C7x       Rx   d 3 59 02 FF", "(0000000000.030000) ch2 18DAF1C7#5902FF"),
        ("   0.040000 1  123             Rx   r 5", "(0000000000.040000) ch1 123#R5"),
        ("   0.041000 1  124             Rx   r", "(0000000000.041000) ch1 124#R"),
        ("   0.050000 1  ErrorFrame", "(0000000000.050000) ch1 20000000#"),
        ("   0.060000 CANFD   1 Rx        456                                   1 0 9 12 00 11 22 33 44 55 66 77 88 99 AA BB   0    0     1000        0 0 0 0 0",
         "(0000000000.060000) ch1 456##100112233445566778899AABB"),
        ("   0.070000 CANFD   1 Tx   1ABCDEF0x  engineData   0 1 2  2 01 02   0    0     1000        0 0 0 0 0",
         "(0000000000.070000) ch1 1ABCDEF0##20102"),
        ("   0.000000 Start of measurement", "metadata"),
        ("   0.080000 1  Statistic: D 2 R 0 XD 1 XR 0 E 0 O 0 B 0.10%", "metadata"),
        ("// version 13.0.0", "metadata"),
        ("End TriggerBlock", "metadata"),
    ])
    func parses(line: String, expected: String) throws {
        var parser = VectorASCParser()
        for header in Self.header { #expect(try parser.parse(line: Array(header.utf8)) == .metadata) }
        switch try parser.parse(line: Array(line.utf8)) {
        case .frame(let frame): #expect(CandumpLogWriter().line(for: frame) == expected)
        case .metadata: #expect(expected == "metadata")
        case .blank: Issue.record("blank")
        }
    }

    @Test func decimalBaseAndRelativeTimestamps() throws {
        var parser = VectorASCParser()
        #expect(try parser.parse(line: Array("base dec  timestamps relative".utf8)) == .metadata)
        let first = try parser.parse(line: Array("1.000000 1  2024  Rx   d 2 16 255".utf8))
        let second = try parser.parse(line: Array("0.500000 1  2024  Rx   d 1 1".utf8))
        let rendered = [first, second].map { outcome -> String in
            guard case .frame(let frame) = outcome else { return "none" }
            return CandumpLogWriter().line(for: frame)
        }
        #expect(rendered == ["(0000000001.000000) ch1 7E8#10FF", "(0000000001.500000) ch1 7E8#01"])
    }

    @Test(arguments: [
        ("   0.010000 1  7E0   Tx   d 8 02 19 0G", "38: expected a data byte, found 'G'"),
        ("   0.010000 1  7E0   Tx   q 8", "27: expected 'd' (data) or 'r' (remote), found 'q'"),
        ("hello", "1: expected an ASC header or an event line starting with a timestamp, found 'h'"),
    ])
    func rejects(line: String, expected: String) {
        #expect {
            try render(VectorASCParser(), line)
        } throws: { error in
            (error as? LineSyntaxError)?.description == expected
        }
    }
}

@Suite struct ECOMCatParserTests {
    @Test func parsesTheMillerValasekLayout() throws {
        let line = "IDH: 07, IDL: 81, Len: 08, Data: 02 21 E1 00 00 00 00 00 ,TS: 74,BAUD: 1\r"
        #expect(try render(ECOMCatParser(), line) == "(0000000000.074000) can0 781#0221E10000000000")
        #expect(try render(ECOMCatParser(), "IDH: 07, IDL: E8, Len: 02, Data: 10 57 ,TS: 1500,BAUD: 1")
            == "(0000000001.500000) can0 7E8#1057")
    }

    @Test func rejectsAMissingField() {
        #expect {
            try render(ECOMCatParser(), "IDH: 07, Len: 08")
        } throws: { error in
            (error as? LineSyntaxError)?.description == "10: expected 'IDL:', found 'L'"
        }
    }
}
