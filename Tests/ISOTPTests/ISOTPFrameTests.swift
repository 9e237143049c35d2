import CANCore
import ISOTP
import Testing

@Suite struct ISOTPFrameTests {
    // Layouts of ISO 15765-2:2016 §9.6 (Table 9 and the FD escapes), after `addressBytes` address bytes.
    @Test(arguments: [
        (0, "02 10 03 CC CC CC CC CC", ISOTPFrame.single(payload("10 03"))),
        (0, "07 62 F1 90 57 41 55 31", .single(payload("62 F1 90 57 41 55 31"))),
        (0, "03 22 F1 90", .single(payload("22 F1 90"))),  // no padding (§10.4.2.2)
        (1, "C7 06 59 02 FF 00 11 22", .single(payload("59 02 FF 00 11 22"))),
        (0, "10 14 49 02 01 57 41 55", .first(messageLength: 20, payload("49 02 01 57 41 55"))),
        (1, "C7 10 14 62 F1 90 57 41", .first(messageLength: 20, payload("62 F1 90 57 41"))),
        (0, "1F FF 00 01 02 03 04 05", .first(messageLength: 4095, payload("00 01 02 03 04 05"))),
        (0, "10 00 00 00 10 00 AA BB", .first(messageLength: 4096, payload("AA BB"))),
        (1, "C7 10 00 00 01 00 00 AA", .first(messageLength: 65536, payload("AA"))),
        (0, "21 01 02 03 04 05 06 07", .consecutive(sequenceNumber: 1, payload("01 02 03 04 05 06 07"))),
        (0, "2F AA", .consecutive(sequenceNumber: 15, payload("AA"))),
        (1, "C7 20 01 02 03 04 05 06", .consecutive(sequenceNumber: 0, payload("01 02 03 04 05 06"))),
        (0, "30 00 00 CC CC CC CC CC", .flowControl(ISOTPFlowControl(status: .continueToSend))),
        (
            0, "31 08 F3",
            .flowControl(ISOTPFlowControl(status: .wait, blockSize: 8, separationTime: .init(rawValue: 0xF3)))
        ),
        (1, "C7 32 00 7F", .flowControl(ISOTPFlowControl(status: .overflow, separationTime: .maximum))),
        (0, "35 00 00", .flowControl(ISOTPFlowControl(status: ISOTPFlowStatus(rawValue: 5)))),
    ])
    func decodesClassicLayouts(addressBytes: Int, hex: String, expected: ISOTPFrame) throws {
        #expect(try ISOTPFrame(decoding: payload(hex), addressBytes: addressBytes) == expected)
    }

    @Test func decodesFDEscapes() throws {
        // SF escape: CAN_DL 12, SF_DL 10 in byte 1.
        let single = payload("00 0A 01 02 03 04 05 06 07 08 09 0A")
        #expect(try ISOTPFrame(decoding: single) == .single(payload("01 02 03 04 05 06 07 08 09 0A")))
        // 64-byte SF with extended addressing carries 61 bytes.
        let sixtyOne = [UInt8](repeating: 0x5A, count: 61)
        let extended = CANPayload([0xC7, 0x00, 61] + sixtyOne)!
        #expect(try ISOTPFrame(decoding: extended, addressBytes: 1) == .single(CANPayload(sixtyOne)!))
        // FF in a 64-byte frame carries 62 bytes; with the 32-bit escape 58.
        let first = CANPayload([0x10, 0x80] + [UInt8](repeating: 1, count: 62))!
        #expect(
            try ISOTPFrame(decoding: first) == .first(messageLength: 128, CANPayload([UInt8](repeating: 1, count: 62))!)
        )
        let escaped = CANPayload([0x10, 0x00, 0x00, 0x01, 0x00, 0x00] + [UInt8](repeating: 2, count: 58))!
        #expect(
            try ISOTPFrame(decoding: escaped)
                == .first(messageLength: 65536, CANPayload([UInt8](repeating: 2, count: 58))!))
    }

    @Test(arguments: [
        (0, "", ISOTPError.Code.frameTooShort),
        (1, "C7", .frameTooShort),
        (0, "45 01 02", .invalidProtocolControlInformation),
        (0, "F0 00", .invalidProtocolControlInformation),
        (0, "00 03 01 02 03", .invalidSingleFrameLength),  // escape in CAN_DL ≤ 8
        (0, "08 01 02 03 04 05 06 07", .invalidSingleFrameLength),  // SF_DL 8 does not fit
        (1, "C7 07 01 02 03 04 05 06", .invalidSingleFrameLength),  // 7 bytes with an address byte
        (0, "04 01 02", .invalidSingleFrameLength),  // shorter than SF_DL (no padding)
        (0, "0A 01 02 03 04 05 06 07 08 09 0A 0B", .invalidSingleFrameLength),  // FD without escape
        (0, "00 0B 01 02 03 04 05 06 07 08 09 0A", .invalidSingleFrameLength),  // escaped SF_DL past the end
        (0, "10 14 01 02 03 04 05", .invalidFirstFrameLength),  // FF in 7 bytes
        (0, "10 07 01 02 03 04 05 06", .invalidFirstFrameLength),  // FF_DL 7 fits an SF
        (1, "C7 10 06 01 02 03 04 05", .invalidFirstFrameLength),  // FF_DL 6 fits an SF with address byte
        (0, "10 00 00 00 0F FF 01 02", .invalidFirstFrameLength),  // escape holding 4095
        (0, "30 00", .frameTooShort),
    ])
    func rejectsInvalidFrames(addressBytes: Int, hex: String, code: ISOTPError.Code) {
        #expect(throws: ISOTPError(code, "")) {
            try ISOTPFrame(decoding: payload(hex), addressBytes: addressBytes)
        }
    }

    @Test func firstFrameInFDMustNotFitAnEscapedSingleFrame() {
        // CAN_DL 12: an escaped SF holds 10 bytes, so FF_DL 10 is invalid and 11 valid.
        let ten = payload("10 0A 01 02 03 04 05 06 07 08 09 0A")
        let eleven = payload("10 0B 01 02 03 04 05 06 07 08 09 0A")
        #expect(throws: ISOTPError(.invalidFirstFrameLength, "")) { try ISOTPFrame(decoding: ten) }
        #expect((try? ISOTPFrame(decoding: eleven)) != nil)
    }

    @Test(arguments: [
        (ISOTPFrame.single(payload("10 03")), nil as UInt8?, ISOTPFrameFormat.classic(), "02 10 03 CC CC CC CC CC"),
        (.single(payload("10 03")), nil, .classic(paddingByte: nil), "02 10 03"),
        (.single(payload("10 03")), 0xC7, .classic(paddingByte: 0x00), "C7 02 10 03 00 00 00 00"),
        (.single(payload("01 02 03 04 05 06 07")), nil, .classic(paddingByte: 0xAA), "07 01 02 03 04 05 06 07"),
        (.single(payload("01 02 03 04 05 06 07 08")), nil, .fd(), "00 08 01 02 03 04 05 06 07 08 CC CC"),
        (.single(payload("01 02 03 04 05 06 07")), 0xC7, .fd(paddingByte: nil), "C7 00 07 01 02 03 04 05 06 07 CC CC"),
        (.single(payload("10 03")), nil, .fd(paddingByte: nil), "02 10 03"),
        (.first(messageLength: 20, payload("49 02 01 57 41 55")), nil, .classic(), "10 14 49 02 01 57 41 55"),
        (.first(messageLength: 0x1234_5678, payload("AA")), 0x55, .classic(), "55 10 00 12 34 56 78 AA"),
        (.consecutive(sequenceNumber: 2, payload("0C 0D")), nil, .classic(), "22 0C 0D CC CC CC CC CC"),
        (.consecutive(sequenceNumber: 2, payload("0C 0D")), nil, .classic(paddingByte: nil), "22 0C 0D"),
        (
            .consecutive(sequenceNumber: 15, payload("01 02 03 04 05 06 07 08 09")), nil, .fd(paddingByte: 0x00),
            "2F 01 02 03 04 05 06 07 08 09 00 00"
        ),
        (
            .flowControl(
                ISOTPFlowControl(status: .continueToSend, blockSize: 8, separationTime: .init(rawValue: 0x14))),
            0xC7, .classic(), "C7 30 08 14 CC CC CC CC"
        ),
    ])
    func encodesWithPadding(frame: ISOTPFrame, addressExtension: UInt8?, format: ISOTPFrameFormat, hex: String) {
        #expect(frame.encoded(addressExtension: addressExtension, format: format) == payload(hex))
    }

    @Test(arguments: [
        (UInt8(0), 0, "0ms", false), (0x14, 20, "20ms", false), (0x7F, 127, "127ms", false),
        (0xF1, 0, "100µs", false), (0xF9, 0, "900µs", false),
        (0x80, 127, "reserved(0x80)=127ms", true), (0xF0, 127, "reserved(0xF0)=127ms", true),
        (0xFA, 127, "reserved(0xFA)=127ms", true), (0xFF, 127, "reserved(0xFF)=127ms", true),
    ])
    func separationTimeCoding(raw: UInt8, milliseconds: Int, text: String, reserved: Bool) {
        let time = ISOTPSeparationTime(rawValue: raw)
        #expect(time.isReserved == reserved)
        #expect(time.description == text)
        if (0xF1...0xF9).contains(raw) {
            #expect(time.duration == .microseconds(Int(raw - 0xF0) * 100))
        } else {
            #expect(time.duration == .milliseconds(milliseconds))
        }
    }

    @Test(arguments: [
        (Duration.zero, 0x00 as UInt8), (.microseconds(100), 0xF1), (.microseconds(250), 0xF3),
        (.microseconds(900), 0xF9), (.microseconds(901), 0x01), (.milliseconds(20), 0x14), (.seconds(1), 0x7F),
    ])
    func separationTimeFromDuration(duration: Duration, raw: UInt8) {
        #expect(ISOTPSeparationTime(atLeast: duration).rawValue == raw)
    }

    @Test func paddingCheckNamesTheByte() {
        #expect(throws: ISOTPError(.paddingMismatch, "")) {
            try ISOTPFrame.checkPadding(payload("02 10 03 CC CC 00 CC CC"), from: 3, byte: 0xCC)
        }
        #expect(throws: Never.self) { try ISOTPFrame.checkPadding(payload("02 10 03 CC CC"), from: 3, byte: 0xCC) }
    }

    @Test func addressesForEveryMode() {
        let fixed = ISOTPAddress.normalFixed(sourceAddress: 0xF1, targetAddress: 0x33)
        #expect(fixed.transmitID == ext(0x18DA_33F1) && fixed.receiveID == ext(0x18DA_F133))
        let functional = ISOTPAddress.normalFixed(sourceAddress: 0xF1, targetAddress: 0x33, targetType: .functional)
        #expect(functional.transmitID == ext(0x18DB_33F1))
        let mixed = ISOTPAddress.mixed(sourceAddress: 0xF1, targetAddress: 0x20, addressExtension: 0x99)
        #expect(mixed.transmitID == ext(0x18CE_20F1) && mixed.receiveID == ext(0x18CE_F120))
        #expect(mixed.transmitAddressExtension == 0x99 && mixed.receiveAddressExtension == 0x99)
        let dcm = ISOTPAddress.extended(
            transmitID: std(0x750), receiveID: std(0x758), targetAddress: 0xC7, sourceAddress: 0xC7)
        #expect(dcm.addressByteCount == 1)
        #expect(dcm.accepts(frame(std(0x758), "C7 03 7F 19 78")))
        #expect(!dcm.accepts(frame(std(0x758), "6D 03 7F 19 78")))
        #expect(!dcm.accepts(frame(std(0x750), "C7 03 7F 19 78")))
        #expect(dcm.reversed.transmitID == std(0x758) && dcm.reversed.reversed == dcm)
        #expect(dcm.description == "extended 750/C7→758/C7")
    }

    @Test(arguments: [
        (ISOTPFrameFormat.classic(), 0, 7, 6, 7), (.classic(), 1, 6, 5, 6),
        (.fd(transmitDataLength: 64), 0, 62, 62, 63), (.fd(transmitDataLength: 64), 1, 61, 61, 62),
        (.fd(transmitDataLength: 12), 0, 10, 10, 11), (.fd(transmitDataLength: 12), 1, 9, 9, 10),
    ])
    func capacities(format: ISOTPFrameFormat, addressBytes: Int, single: Int, first: Int, consecutive: Int) {
        #expect(format.singleFrameCapacity(addressBytes: addressBytes) == single)
        #expect(format.firstFrameCapacity(messageLength: 100, addressBytes: addressBytes) == first)
        #expect(format.firstFrameCapacity(messageLength: 5000, addressBytes: addressBytes) == first - 4)
        #expect(format.consecutiveFrameCapacity(addressBytes: addressBytes) == consecutive)
    }
}
