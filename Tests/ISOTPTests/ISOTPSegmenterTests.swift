import CANCore
import ISOTP
import Testing

@Suite struct ISOTPSegmenterTests {
    let tester = ISOTPAddress.normal(transmitID: std(0x7E0), receiveID: std(0x7E8))
    let dcm = ISOTPAddress.extended(
        transmitID: std(0x750), receiveID: std(0x758), targetAddress: 0xC7, sourceAddress: 0xC7)
    let twenty = Array(UInt8(1)...20)

    func segmenter(
        _ address: ISOTPAddress? = nil, format: ISOTPFrameFormat = .classic(), waits: Int = 10,
        override: Duration? = nil
    ) -> ISOTPSegmenter {
        ISOTPSegmenter(
            configuration: .init(
                address: address ?? tester, format: format, maximumWaitFrames: waits, separationTimeOverride: override))
    }

    /// Expects a transmit action and returns its frame as candump text.
    func transmitted(_ action: ISOTPSegmenter.Action, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        guard case .transmit(let frame, _) = action else {
            Issue.record("expected a transmit, got \(action)", sourceLocation: sourceLocation)
            return nil
        }
        return candump(frame)
    }

    @Test func singleFrame() throws {
        var machine = segmenter()
        let action = try machine.send(bytes("19 02 08"), at: .milliseconds(5))
        #expect(action == .transmit(frame(std(0x7E0), "03 19 02 08 CC CC CC CC"), confirmBy: .milliseconds(1005)))
        #expect(machine.isSending && machine.deadline == .milliseconds(1005))
        #expect(machine.transmitConfirmed(at: .milliseconds(6)) == .completed)
        #expect(!machine.isSending && machine.deadline == nil)
    }

    @Test func segmentedWithoutBlockLimit() throws {
        var machine = segmenter()
        #expect(transmitted(try machine.send(twenty, at: .zero)) == "7E0#1014010203040506")
        #expect(machine.transmitConfirmed(at: .milliseconds(1)) == .awaitFlowControl(until: .milliseconds(1001)))
        #expect(
            transmitted(machine.receive(frame(std(0x7E8), "30 00 00 AA AA AA AA AA"), at: .milliseconds(3))) == "7E0#21"
                + Hex.compact(twenty[6..<13]))
        #expect(transmitted(machine.transmitConfirmed(at: .milliseconds(4))) == "7E0#22" + Hex.compact(twenty[13..<20]))
        #expect(machine.transmitConfirmed(at: .milliseconds(5)) == .completed)
    }

    @Test func blockSizeAndSeparationTime() throws {
        var machine = segmenter()
        let message = [UInt8](repeating: 0x11, count: 6 + 7 * 4)  // FF + 4 CFs
        _ = try machine.send(message, at: .zero)
        _ = machine.transmitConfirmed(at: .zero)
        // BS 2, STmin 20 ms: two CFs 20 ms apart, then wait for the next FC.
        #expect(
            transmitted(machine.receive(frame(std(0x7E8), "30 02 14"), at: .milliseconds(10)))?.hasPrefix("7E0#21")
                == true)
        #expect(machine.transmitConfirmed(at: .milliseconds(11)) == .awaitSeparationTime(until: .milliseconds(31)))
        #expect(machine.timerFired(at: .milliseconds(30)) == .awaitSeparationTime(until: .milliseconds(31)))
        #expect(transmitted(machine.timerFired(at: .milliseconds(31)))?.hasPrefix("7E0#22") == true)
        #expect(machine.transmitConfirmed(at: .milliseconds(32)) == .awaitFlowControl(until: .milliseconds(1032)))
        // Second block: STmin 0xF5 = 500 µs.
        #expect(
            transmitted(machine.receive(frame(std(0x7E8), "30 00 F5"), at: .milliseconds(40)))?.hasPrefix("7E0#23")
                == true)
        #expect(machine.transmitConfirmed(at: .milliseconds(40)) == .awaitSeparationTime(until: .microseconds(40_500)))
        #expect(transmitted(machine.timerFired(at: .microseconds(40_500)))?.hasPrefix("7E0#24") == true)
        #expect(machine.transmitConfirmed(at: .milliseconds(41)) == .completed)
    }

    @Test(arguments: [0x80, 0xF0, 0xFA, 0xFF] as [UInt8])
    func reservedSeparationTimeMeans127Milliseconds(raw: UInt8) throws {
        var machine = segmenter()
        _ = try machine.send(twenty, at: .zero)
        _ = machine.transmitConfirmed(at: .zero)
        _ = machine.receive(frame(std(0x7E8), "30 00 \(Hex.string(raw, digits: 2))"), at: .zero)
        #expect(machine.transmitConfirmed(at: .milliseconds(1)) == .awaitSeparationTime(until: .milliseconds(128)))
    }

    @Test func separationTimeOverride() throws {
        var machine = segmenter(override: .milliseconds(2))
        _ = try machine.send(twenty, at: .zero)
        _ = machine.transmitConfirmed(at: .zero)
        _ = machine.receive(frame(std(0x7E8), "30 00 7F"), at: .zero)
        #expect(machine.transmitConfirmed(at: .zero) == .awaitSeparationTime(until: .milliseconds(2)))
    }

    @Test func waitFramesUpToTheLimit() throws {
        var machine = segmenter(waits: 2)
        _ = try machine.send(twenty, at: .zero)
        _ = machine.transmitConfirmed(at: .zero)
        #expect(
            machine.receive(frame(std(0x7E8), "31 00 00"), at: .milliseconds(900))
                == .awaitFlowControl(until: .milliseconds(1900)))
        #expect(
            machine.receive(frame(std(0x7E8), "31 00 00"), at: .milliseconds(1800))
                == .awaitFlowControl(until: .milliseconds(2800)))
        let action = machine.receive(frame(std(0x7E8), "31 00 00"), at: .milliseconds(2700))
        #expect(action == .failed(ISOTPError(.waitFrameLimitExceeded, "")))
        #expect(!machine.isSending)
        // The machine is usable again.
        #expect(transmitted(try machine.send(bytes("3E 00"), at: .seconds(3))) == "7E0#023E00CCCCCCCCCC")
    }

    @Test(arguments: [
        ("32 00 00", ISOTPError.Code.receiverOverflow), ("33 00 00", .invalidFlowStatus),
        ("3F 00 00", .invalidFlowStatus),
    ])
    func flowStatusesThatAbort(hex: String, code: ISOTPError.Code) throws {
        var machine = segmenter()
        _ = try machine.send(twenty, at: .zero)
        _ = machine.transmitConfirmed(at: .zero)
        guard case .failed(let error) = machine.receive(frame(std(0x7E8), hex), at: .milliseconds(1)) else {
            Issue.record("expected failure")
            return
        }
        #expect(error.code == code && error.canID == std(0x7E8) && error.timestamp == .milliseconds(1))
        #expect(!machine.isSending)
    }

    @Test func flowControlTimeout() throws {
        var machine = segmenter()
        _ = try machine.send(twenty, at: .zero)
        _ = machine.transmitConfirmed(at: .milliseconds(1))
        #expect(machine.timerFired(at: .milliseconds(1000)) == .awaitFlowControl(until: .milliseconds(1001)))
        #expect(machine.timerFired(at: .milliseconds(1001)) == .failed(ISOTPError(.flowControlTimeout, "")))
        #expect(!machine.isSending)
    }

    @Test func transmitTimeout() throws {
        var late = segmenter()
        _ = try late.send(twenty, at: .zero)
        #expect(late.transmitConfirmed(at: .milliseconds(1001)) == .failed(ISOTPError(.transmitTimeout, "")))
        var fired = segmenter()
        _ = try fired.send(twenty, at: .zero)
        #expect(fired.timerFired(at: .milliseconds(999)) == ISOTPSegmenter.Action.none)
        #expect(fired.timerFired(at: .milliseconds(1000)) == .failed(ISOTPError(.transmitTimeout, "")))
    }

    @Test func rejectsBusyAndBadLengths() throws {
        var machine = segmenter()
        _ = try machine.send(twenty, at: .zero)
        #expect(throws: ISOTPError(.transmitterBusy, "")) { try machine.send([1], at: .zero) }
        var idle = segmenter()
        #expect(throws: ISOTPError(.invalidMessageLength, "")) { try idle.send([], at: .zero) }
        var limited = ISOTPSegmenter(configuration: .init(address: tester, maximumMessageLength: 10))
        #expect(throws: ISOTPError(.invalidMessageLength, "")) { try limited.send(twenty, at: .zero) }
    }

    @Test func ignoresFramesThatAreNotItsFlowControl() throws {
        var machine = segmenter()
        #expect(machine.receive(frame(std(0x7E8), "30 00 00"), at: .zero) == .none)  // not awaiting one
        _ = try machine.send(twenty, at: .zero)
        _ = machine.transmitConfirmed(at: .zero)
        #expect(machine.receive(frame(std(0x7E9), "30 00 00"), at: .zero) == .none)  // another id
        #expect(machine.receive(frame(std(0x7E8), "03 7F 22 78"), at: .zero) == .none)  // not a flow control
        #expect(machine.receive(frame(std(0x7E8), "30"), at: .zero) == .none)  // too short to decode
        #expect(machine.deadline == .seconds(1))
    }

    @Test func extendedAddressingPutsTheSubAddressFirst() throws {
        var machine = segmenter(dcm, format: .classic(paddingByte: 0x00))
        #expect(transmitted(try machine.send(twenty, at: .zero)) == "750#C710140102030405")
        _ = machine.transmitConfirmed(at: .zero)
        // A flow control for another sub-address is not ours.
        #expect(machine.receive(frame(std(0x758), "6D 30 00 00"), at: .zero) == .none)
        #expect(
            transmitted(machine.receive(frame(std(0x758), "C7 30 00 00"), at: .zero)) == "750#C721"
                + Hex.compact(twenty[5..<11]))
        #expect(transmitted(machine.transmitConfirmed(at: .zero)) == "750#C722" + Hex.compact(twenty[11..<17]))
        #expect(
            transmitted(machine.transmitConfirmed(at: .zero)) == "750#C723" + Hex.compact(twenty[17..<20]) + "000000")
        #expect(machine.transmitConfirmed(at: .zero) == .completed)
    }

    @Test func fdUsesEscapesAndPadsToValidLengths() throws {
        var machine = segmenter(format: .fd(transmitDataLength: 64, paddingByte: nil))
        let sixty = [UInt8](repeating: 0xAB, count: 60)
        guard case .transmit(let single, _) = try machine.send(sixty, at: .zero) else { return }
        #expect(single.data.count == 64 && Array(single.data.prefix(2)) == [0x00, 60] && single.isFD)
        #expect(Array(single.data.suffix(2)) == [0xCC, 0xCC])
        _ = machine.transmitConfirmed(at: .zero)
        let long = [UInt8](repeating: 0x01, count: 5000)
        guard case .transmit(let first, _) = try machine.send(long, at: .zero) else { return }
        #expect(Array(first.data.prefix(6)) == [0x10, 0x00, 0x00, 0x00, 0x13, 0x88] && first.data.count == 64)
        _ = machine.transmitConfirmed(at: .zero)
        var sent = 58
        var action = machine.receive(frame(std(0x7E8), "30 00 00", fd: true), at: .zero)
        while case .transmit(let consecutive, _) = action {
            sent += min(63, long.count - sent)
            #expect(CANPayload.isValidFDLength(consecutive.data.count))
            action = machine.transmitConfirmed(at: .zero)
        }
        #expect(action == .completed && sent == 5000)
    }

    @Test func strictPaddingRejectsABadFlowControl() throws {
        var machine = segmenter(format: .classic(paddingByte: 0xAA, checksReceivedPadding: true))
        _ = try machine.send(twenty, at: .zero)
        _ = machine.transmitConfirmed(at: .zero)
        #expect(
            machine.receive(frame(std(0x7E8), "30 00 00 AA AA 00 AA AA"), at: .zero)
                == .failed(ISOTPError(.paddingMismatch, "")))
    }
}
