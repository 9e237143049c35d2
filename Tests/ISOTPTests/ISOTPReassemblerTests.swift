import CANCore
import ISOTP
import Testing

@Suite struct ISOTPReassemblerTests {
    let tester = ISOTPAddress.normal(transmitID: std(0x7E0), receiveID: std(0x7E8))
    let dcm = ISOTPAddress.extended(
        transmitID: std(0x750), receiveID: std(0x758), targetAddress: 0xC7, sourceAddress: 0xC7)

    func reassembler(
        _ address: ISOTPAddress? = nil, format: ISOTPFrameFormat = .classic(), blockSize: UInt8 = 0,
        separationTime: ISOTPSeparationTime = .zero, maximum: Int = 4095
    ) -> ISOTPReassembler {
        ISOTPReassembler(
            configuration: .init(
                address: address ?? tester, format: format, blockSize: blockSize, separationTime: separationTime,
                maximumMessageLength: maximum))
    }

    func code(of action: ISOTPReassembler.Action) -> ISOTPError.Code? {
        switch action {
        case .discard(let error), .abort(let error), .rejectMessage(_, let error), .interrupted(let error, _):
            error.code
        default: nil
        }
    }

    @Test func singleFramesWithAndWithoutPadding() {
        var machine = reassembler()
        #expect(machine.receive(frame(std(0x7E8), "03 59 02 FF AA AA AA AA"), at: .zero) == .deliver(bytes("59 02 FF")))
        #expect(machine.receive(frame(std(0x7E8), "03 7F 19 78"), at: .zero) == .deliver(bytes("7F 19 78")))
        // Another id, a remote frame: not ours.
        #expect(machine.receive(frame(std(0x7E9), "02 50 03"), at: .zero) == .none)
        let remote = try! CANFrame(id: std(0x7E8), kind: .remote(requestedLength: 8), data: [])
        #expect(machine.receive(remote, at: .zero) == .none)
    }

    @Test func segmentedMessageWithFlowControl() {
        var machine = reassembler(separationTime: .init(rawValue: 0x0A))
        let first = machine.receive(frame(std(0x7E8), "10 0E 59 02 FF 01 02 03"), at: .milliseconds(10))
        #expect(
            first
                == .sendFlowControl(
                    frame(std(0x7E0), "30 00 0A CC CC CC CC CC"), awaitConsecutiveFrameUntil: .milliseconds(1010)))
        #expect(machine.isReceiving && machine.deadline == .milliseconds(1010))
        #expect(machine.partialMessage?.received == bytes("59 02 FF 01 02 03"))
        #expect(
            machine.receive(frame(std(0x7E8), "21 04 05 06 07 08 09 0A"), at: .milliseconds(20))
                == .awaitConsecutiveFrame(until: .milliseconds(1020)))
        #expect(
            machine.receive(frame(std(0x7E8), "22 0B AA AA AA AA AA AA"), at: .milliseconds(30))
                == .deliver(bytes("59 02 FF 01 02 03 04 05 06 07 08 09 0A 0B")))
        #expect(!machine.isReceiving && machine.deadline == nil)
    }

    @Test func blockSizeAsksForMoreAfterEachBlock() {
        var machine = reassembler(blockSize: 2)
        let message = [UInt8](repeating: 7, count: 6 + 7 * 5)
        var flowControls = 0
        var frames = [frame(std(0x7E8), "10 29 07 07 07 07 07 07")]
        for number in 1...5 { frames.append(frame(std(0x7E8), "2\(number) 07 07 07 07 07 07 07")) }
        var delivered: [UInt8]?
        for item in frames {
            switch machine.receive(item, at: .zero) {
            case .sendFlowControl(let fc, _):
                #expect(candump(fc) == "7E0#300200CCCCCCCCCC")
                flowControls += 1
            case .deliver(let bytes): delivered = bytes
            case .awaitConsecutiveFrame: break
            case let other: Issue.record("unexpected \(other)")
            }
        }
        // After the FF, after CF 2 and after CF 4; not after the last.
        #expect(flowControls == 3 && delivered == message)
    }

    @Test func wrongSequenceNumberAbortsAndTheChannelStaysUsable() {
        var machine = reassembler()
        _ = machine.receive(frame(std(0x7E8), "10 14 01 02 03 04 05 06"), at: .zero)
        let action = machine.receive(frame(std(0x7E8), "22 07 08 09 0A 0B 0C 0D"), at: .zero)
        #expect(code(of: action) == .sequenceNumberMismatch)
        guard case .abort = action else { return #expect(Bool(false)) }
        #expect(!machine.isReceiving)
        #expect(machine.receive(frame(std(0x7E8), "02 50 03"), at: .zero) == .deliver(bytes("50 03")))
    }

    @Test func sequenceNumbersWrapAfter15() {
        var machine = reassembler()
        let count = 6 + 7 * 20
        var action = machine.receive(
            frame(std(0x7E8), "10 \(Hex.string(count, digits: 2)) 00 00 00 00 00 00"), at: .zero)
        for index in 1...20 {
            action = machine.receive(
                frame(std(0x7E8), "2\(Hex.string(index & 0x0F, digits: 1)) 00 00 00 00 00 00 00"), at: .zero)
        }
        #expect(action == .deliver([UInt8](repeating: 0, count: count)))
    }

    @Test func unexpectedConsecutiveFrameIsDiscarded() {
        var machine = reassembler()
        let action = machine.receive(frame(std(0x7E8), "21 01 02 03"), at: .zero)
        guard case .discard(let error) = action else { return #expect(Bool(false)) }
        #expect(error.code == .unexpectedConsecutiveFrame && error.canID == std(0x7E8))
    }

    @Test func newFirstFrameAbortsTheOldAndStartsTheNew() {
        var machine = reassembler()
        _ = machine.receive(frame(std(0x7E8), "10 14 01 02 03 04 05 06"), at: .zero)
        let action = machine.receive(frame(std(0x7E8), "10 09 AA BB CC DD EE FF"), at: .milliseconds(5))
        #expect(
            action
                == .interrupted(
                    ISOTPError(.interruptedByFirstFrame, ""),
                    then: .sendFlowControl(
                        frame(std(0x7E0), "30 00 00 CC CC CC CC CC"), awaitConsecutiveFrameUntil: .milliseconds(1005))))
        #expect(
            machine.receive(frame(std(0x7E8), "21 11 22 33"), at: .milliseconds(6))
                == .deliver(bytes("AA BB CC DD EE FF 11 22 33")))
    }

    @Test func singleFrameMidReceptionIsDeliveredAfterReportingTheAbort() {
        var machine = reassembler()
        _ = machine.receive(frame(std(0x7E8), "10 14 01 02 03 04 05 06"), at: .zero)
        let action = machine.receive(frame(std(0x7E8), "03 7F 22 78"), at: .zero)
        #expect(action == .interrupted(ISOTPError(.interruptedBySingleFrame, ""), then: .deliver(bytes("7F 22 78"))))
        #expect(!machine.isReceiving)
    }

    @Test func tooLongMessageIsAnsweredWithOverflow() {
        var machine = reassembler(maximum: 100)
        let action = machine.receive(frame(std(0x7E8), "10 65 01 02 03 04 05 06"), at: .zero)
        #expect(action == .rejectMessage(frame(std(0x7E0), "32 00 00 CC CC CC CC CC"), ISOTPError(.messageTooLong, "")))
        #expect(!machine.isReceiving)
        #expect(machine.receive(frame(std(0x7E8), "10 64 01 02 03 04 05 06"), at: .zero) != .none)
        #expect(machine.isReceiving)
    }

    @Test func consecutiveFrameTimeout() {
        var machine = reassembler()
        _ = machine.receive(frame(std(0x7E8), "10 14 01 02 03 04 05 06"), at: .zero)
        _ = machine.receive(frame(std(0x7E8), "21 07 08 09 0A 0B 0C 0D"), at: .milliseconds(400))
        #expect(machine.timerFired(at: .milliseconds(1000)) == .awaitConsecutiveFrame(until: .milliseconds(1400)))
        let action = machine.timerFired(at: .milliseconds(1400))
        #expect(action == .abort(ISOTPError(.consecutiveFrameTimeout, "")))
        #expect(!machine.isReceiving && machine.timerFired(at: .seconds(5)) == .none)
    }

    @Test func invalidFramesAreDiscardedWithoutEndingAReception() {
        var machine = reassembler()
        _ = machine.receive(frame(std(0x7E8), "10 14 01 02 03 04 05 06"), at: .zero)
        #expect(code(of: machine.receive(frame(std(0x7E8), "45 00"), at: .zero)) == .invalidProtocolControlInformation)
        #expect(code(of: machine.receive(frame(std(0x7E8), "00 01 02"), at: .zero)) == .invalidSingleFrameLength)
        #expect(machine.isReceiving)
        // Flow-control frames belong to the segmenter.
        #expect(machine.receive(frame(std(0x7E8), "30 00 00"), at: .zero) == .none)
    }

    @Test func consecutiveFrameLengthsFollowTheFirstFrame() {
        var machine = reassembler(format: .fd())
        let first = CANPayload([0x10, 0x80] + [UInt8](repeating: 1, count: 62))!
        _ = machine.receive(try! CANFrame(id: std(0x7E8), kind: .fd([]), data: first), at: .zero)
        // A non-final CF shorter than RX_DL 64 cannot carry the 63 bytes needed.
        let short = frame(std(0x7E8), "21 " + String(repeating: "02 ", count: 47), fd: true)
        #expect(code(of: machine.receive(short, at: .zero)) == .invalidConsecutiveFrameLength)
        // A classic FF followed by FD CFs longer than RX_DL 8 is refused too.
        _ = machine.receive(frame(std(0x7E8), "10 14 01 02 03 04 05 06"), at: .zero)
        let long = frame(std(0x7E8), "21 " + String(repeating: "02 ", count: 11), fd: true)
        #expect(code(of: machine.receive(long, at: .zero)) == .invalidConsecutiveFrameLength)
    }

    @Test func fdMessageAcrossEscapes() {
        var machine = reassembler(format: .fd(), maximum: 1 << 20)
        let message = (0..<5000).map { UInt8(truncatingIfNeeded: $0) }
        let first = CANPayload([0x10, 0x00, 0x00, 0x00, 0x13, 0x88] + message[0..<58])!
        _ = machine.receive(try! CANFrame(id: std(0x7E8), kind: .fd([.bitRateSwitch]), data: first), at: .zero)
        var offset = 58
        var sequence: UInt8 = 1
        var action = ISOTPReassembler.Action.none
        while offset < message.count {
            let chunk = message[offset..<min(message.count, offset + 63)]
            var data = [0x20 | sequence] + chunk
            data += [UInt8](repeating: 0xCC, count: CANPayload.fdLength(holding: data.count)! - data.count)
            action = machine.receive(try! CANFrame(id: std(0x7E8), kind: .fd([]), data: CANPayload(data)!), at: .zero)
            offset += chunk.count
            sequence = (sequence + 1) & 0x0F
        }
        #expect(action == .deliver(message))
    }

    @Test func extendedAddressingAnswersWithTheSubAddress() {
        var machine = reassembler(dcm, format: .classic(paddingByte: 0x00))
        #expect(machine.receive(frame(std(0x758), "6D 03 62 F1 90"), at: .zero) == .none)  // another ECU behind 0x750
        let action = machine.receive(frame(std(0x758), "C7 10 1A 62 F1 90 4A 54"), at: .zero)
        #expect(
            action
                == .sendFlowControl(
                    frame(std(0x750), "C7 30 00 00 00 00 00 00"), awaitConsecutiveFrameUntil: .seconds(1)))
        _ = machine.receive(frame(std(0x758), "C7 21 44 42 33 34 45 35"), at: .zero)
        _ = machine.receive(frame(std(0x758), "C7 22 30 31 32 33 34 35"), at: .zero)
        _ = machine.receive(frame(std(0x758), "C7 23 36 37 38 39 41 42"), at: .zero)
        #expect(
            machine.receive(frame(std(0x758), "C7 24 43 44 45 00 00 00"), at: .zero)
                == .deliver(bytes("62 F1 90 4A 54 44 42 33 34 45 35 30 31 32 33 34 35 36 37 38 39 41 42 43 44 45")))
    }

    @Test func strictPaddingCheck() {
        var machine = reassembler(format: .classic(paddingByte: 0x55, checksReceivedPadding: true))
        #expect(machine.receive(frame(std(0x7E8), "02 50 03 55 55 55 55 55"), at: .zero) == .deliver(bytes("50 03")))
        #expect(code(of: machine.receive(frame(std(0x7E8), "02 50 03 55 CC 55 55 55"), at: .zero)) == .paddingMismatch)
        _ = machine.receive(frame(std(0x7E8), "10 08 01 02 03 04 05 06"), at: .zero)
        #expect(code(of: machine.receive(frame(std(0x7E8), "21 07 08 00 55 55 55 55"), at: .zero)) == .paddingMismatch)
        var lenient = reassembler(format: .classic(paddingByte: 0x55))
        #expect(lenient.receive(frame(std(0x7E8), "02 50 03 55 CC 55 55 55"), at: .zero) == .deliver(bytes("50 03")))
    }
}
