import CANCore
import CANLog
import Testing

@Suite struct CandumpLogParserTests {
    @Test(arguments: [
        ("(1700000000.123456) can0 7E8#0659028000C400", "(1700000000.123456) can0 7E8#0659028000C400"),
        ("(1700000000.000001) vcan1 18DAF1C7#065902", "(1700000000.000001) vcan1 18DAF1C7#065902"),
        ("(1.5) can0 7e8#0a0b", "(0000000001.500000) can0 7E8#0A0B"),
        ("(1700000000.123456) can0 123#", "(1700000000.123456) can0 123#"),
        ("(1700000000.123456) can0 123#R", "(1700000000.123456) can0 123#R"),
        ("(1700000000.123456) can0 123#r5", "(1700000000.123456) can0 123#R5"),
        ("(1700000000.123456) can0 123#R8_C", "(1700000000.123456) can0 123#R8_C"),
        ("(1700000000.123456) can0 123##1AABB", "(1700000000.123456) can0 123##1AABB"),
        ("(1700000000.123456) can0 123##3", "(1700000000.123456) can0 123##3"),
        ("(1700000000.123456) can0 123#11.22.33", "(1700000000.123456) can0 123#112233"),
        ("(1700000000.123456) can0 123#1122334455667788_C", "(1700000000.123456) can0 123#1122334455667788"),
        ("(1700000000.123456) can0 20000080#0000000000000000", "(1700000000.123456) can0 20000080#0000000000000000"),
        ("(1700000000.123456) can0 123#11 T", "(1700000000.123456) can0 123#11"),
        ("(1700000000.123456) can0 123#11\r", "(1700000000.123456) can0 123#11"),
        ("(1700000000.123456789) can0 123#11", "(1700000000.123456) can0 123#11"),
        ("  ", "blank"),
        ("", "blank"),
    ])
    func parses(line: String, expected: String) throws {
        #expect(try render(CandumpLogParser(), line) == expected)
    }

    @Test func decodesEveryKind() throws {
        var parser = CandumpLogParser()
        let lines = [
            "(1.000000) can0 18DAF1C7#0659", "(1.000000) can0 123#R5", "(1.000000) can0 456##5" + "AA",
            "(1.000000) can0 20000084#0004000000000000",
        ]
        var frames: [CANFrame] = []
        for line in lines {
            guard case .frame(let frame) = try parser.parse(line: Array(line.utf8)) else {
                Issue.record("no frame")
                return
            }
            frames.append(frame)
        }
        #expect(frames[0].id == CANIdentifier.extended(0x18DA_F1C7)! && frames[0].kind == .classic)
        #expect(frames[0].data.bytes == [0x06, 0x59] && frames[0].interface == "can0")
        #expect(frames[0].timestamp == .seconds(1))
        #expect(frames[1].kind == .remote(requestedLength: 5) && frames[1].data.isEmpty)
        #expect(frames[2].kind == .fd([.bitRateSwitch, .fdFormat]) && frames[2].data.bytes == [0xAA])
        #expect(frames[3].kind == .error([.controller, .busError]))
        #expect(frames[3].id == CANIdentifier.extended(0x84)!)
        #expect(frames[3].data.bytes == [0x00, 0x04, 0, 0, 0, 0, 0, 0])
    }

    @Test(arguments: [
        ("(1700000000.123456) can0 7E8#1014622F190G0", "41: expected a hex digit in the data, found 'G'"),
        ("(1700000000.123456) can0 7E8#101", "33: expected a hex digit in the data, found the end of the line"),
        ("1700000000.123456 can0 7E8#10", "1: expected '(' and a timestamp, found '1'"),
        ("(1700000000.123456 can0 7E8#10", "19: expected ')' after the timestamp, found a space"),
        ("(.5) can0 7E8#10", "2: expected a timestamp in seconds, found '.'"),
        ("(1.) can0 7E8#10", "4: expected digits after the decimal point, found ')'"),
        ("(1.5)can0 7E8#10", "6: expected a space after the timestamp, found 'c'"),
        ("(1.5) can0", "11: expected a space after the interface name, found the end of the line"),
        ("(1.5) can0 7E8", "15: expected '#' after the CAN id, found the end of the line"),
        ("(1.5) can0 7E#11", "12: expected a CAN id of 3 or 8 hex digits, found '7'"),
        ("(1.5) can0 7E80#11", "12: expected a CAN id of 3 or 8 hex digits, found '7'"),
        ("(1.5) can0 800#11", "12: standard CAN id 800 is above 7FF"),
        ("(1.5) can0 7E8#112233445566778899", "32: more than 8 data bytes"),
        ("(1.5) can0 7E8##0112233445566778899", "12: CAN FD frame with 9 data bytes (valid: 0-8, 12, 16, 20, 24, 32, 48, 64)"),
        ("(1.5) can0 7E8##", "17: expected a CAN FD flags digit after '##', found the end of the line"),
        ("(1.5) can0 7E8#11 22", "19: expected the end of the line, found '2'"),
        ("(1.5) can0 60000000#", "12: error frame id 60000000 has flag bits set"),
        ("(1.5) can0 20000080#R", "21: expected error frame data, not a remote request, found 'R'"),
        ("(1.5) can0 7E8#1122_C", "20: a raw DLC ('_') is allowed only after 8 classic data bytes"),
        ("(1.5) averyveryverylongname 7E8#11", "7: interface name longer than 15 bytes"),
        ("(1.5) can0 7E8#11\u{FF}", "18: expected a hex digit in the data, found byte 0xC3"),
    ])
    func rejects(line: String, expected: String) {
        #expect {
            try render(CandumpLogParser(), line)
        } throws: { error in
            (error as? LineSyntaxError)?.description == expected
        }
    }
}
