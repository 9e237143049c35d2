import CANCore
import Testing

@Suite struct CANIdentifierTests {
    @Test(arguments: [
        (UInt32(0x000), CANIdentifier.Format.standard, true), (0x7FF, .standard, true), (0x800, .standard, false),
        (0x1FFF_FFFF, .extended, true), (0x2000_0000, .extended, false), (0x7E8, .extended, true),
    ])
    func validatesRange(value: UInt32, format: CANIdentifier.Format, valid: Bool) {
        #expect((CANIdentifier(value, format: format) != nil) == valid)
    }

    @Test func printsLikeCandump() throws {
        #expect(try #require(CANIdentifier.standard(0x7E8)).description == "7E8")
        #expect(try #require(CANIdentifier.standard(0x12)).description == "012")
        #expect(try #require(CANIdentifier.extended(0x18DA_F1C7)).description == "18DAF1C7")
        #expect(try #require(CANIdentifier.extended(0x7E8)).description == "000007E8")
    }

    @Test func ordersByValueThenFormat() throws {
        let a = try #require(CANIdentifier.standard(0x100))
        let b = try #require(CANIdentifier.extended(0x100))
        let c = try #require(CANIdentifier.standard(0x101))
        #expect([c, b, a].sorted() == [a, b, c])
        #expect(a != b)
    }
}

@Suite struct CANFrameTests {
    let id = CANIdentifier.standard(0x123)!

    @Test(arguments: Array(0...70))
    func fdLengthsFollowTheDLCTable(length: Int) {
        let valid = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64].contains(length)
        #expect(CANPayload.isValidFDLength(length) == valid)
        if length <= 64 {
            let payload = CANPayload(repeating: 0xAA, count: length)
            let made = try? CANFrame(id: id, kind: .fd([.bitRateSwitch]), data: payload)
            #expect((made != nil) == valid)
            let padded = CANPayload.fdLength(holding: length)
            #expect(padded.map { CANPayload.isValidFDLength($0) && $0 >= length } == true)
        }
    }

    @Test func classicFramesHoldAtMostEightBytes() throws {
        #expect(throws: CANFrameError.dataTooLongForClassicCAN(9)) {
            try CANFrame(id: id, data: CANPayload(repeating: 0, count: 9))
        }
        let frame = try CANFrame.classic(id, [0x02, 0x10, 0x03])
        #expect(frame.data.bytes == [0x02, 0x10, 0x03])
        #expect(frame.data.description == "02 10 03")
        #expect(frame.isDataFrame && !frame.isFD)
    }

    @Test func remoteFramesCarryNoData() {
        #expect(throws: CANFrameError.dataInRemoteFrame(1)) {
            try CANFrame(id: id, kind: .remote(requestedLength: 1), data: [0x01])
        }
        #expect(throws: CANFrameError.invalidRemoteLength(16)) {
            try CANFrame(id: id, kind: .remote(requestedLength: 16), data: [])
        }
        #expect((try? CANFrame(id: id, kind: .remote(requestedLength: 8), data: []))?.isDataFrame == false)
    }

    @Test func payloadEqualityIgnoresUnusedStorage() {
        var a = CANPayload(repeating: 0xFF, count: 8)
        a.truncate(to: 2)
        let b: CANPayload = [0xFF, 0xFF]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(CANPayload(Array(repeating: 0, count: 65)) == nil)
        var c = CANPayload(repeating: 0, count: 64)
        #expect(c.append(1) == false)
    }

    @Test func errorClassNamesAreListedInBitOrder() {
        let classes: CANErrorClass = [.busOff, .controller, CANErrorClass(rawValue: 0x1000)]
        #expect(classes.names == ["controller", "bus-off", "0x00001000"])
    }
}

@Suite struct HexTests {
    @Test(arguments: [
        ("59 02 FF 95 C4 00 09", [0x59, 0x02, 0xFF, 0x95, 0xC4, 0x00, 0x09] as [UInt8]?),
        ("5902ff", [0x59, 0x02, 0xFF]), ("0x59,0x02", [0x59, 0x02]), ("59-02:0a", [0x59, 0x02, 0x0A]),
        ("", []), ("5", nil), ("59 0", nil), ("zz", nil),
    ])
    func parsesBytes(text: String, expected: [UInt8]?) {
        #expect(Hex.bytes(text) == expected)
    }

    @Test func formats() {
        #expect(Hex.compact([0x06, 0x59, 0xAB]) == "0659AB")
        #expect(Hex.spaced([0x06, 0x59]) == "06 59")
        #expect(Hex.string(UInt32(0x7E8), digits: 3) == "7E8")
        #expect(Hex.string(UInt8(0x5), digits: 2) == "05")
    }
}
