import CANCore
import ISOTP
import Testing

/// Segmenting then reassembling any payload gives it back, for every addressing mode, classic and FD,
/// several paddings, block sizes and separation times, driven with virtual time.
@Suite struct ISOTPRoundTripTests {
    static let formats: [ISOTPFrameFormat] = [
        .classic(), .classic(paddingByte: nil), .classic(paddingByte: 0x00), .fd(transmitDataLength: 64),
        .fd(transmitDataLength: 64, paddingByte: nil), .fd(transmitDataLength: 12, paddingByte: 0xAA),
        .fd(transmitDataLength: 32, bitRateSwitch: false), .fd(transmitDataLength: 8),
    ]
    static let boundaryLengths = [
        1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 20, 60, 61, 62, 63, 64, 100, 4094, 4095, 4096, 4097, 5000,
    ]

    struct Outcome {
        var delivered: [UInt8]?
        var flowControls = 0
        var consecutiveFrames = 0
    }

    /// Runs one transfer; checks every frame on the way.
    static func transfer(
        _ message: [UInt8], address: ISOTPAddress, format: ISOTPFrameFormat, blockSize: UInt8,
        separationTime: ISOTPSeparationTime
    ) -> Outcome {
        var sender = ISOTPSegmenter(configuration: .init(address: address, format: format))
        var receiverFormat = format
        receiverFormat.checksReceivedPadding = true
        var receiver = ISOTPReassembler(
            configuration: .init(
                address: address.reversed, format: receiverFormat, blockSize: blockSize, separationTime: separationTime,
                maximumMessageLength: 1 << 16))
        var outcome = Outcome()
        var now = Duration.zero
        var lastConsecutiveFrame: Duration?
        var action: ISOTPSegmenter.Action
        do { action = try sender.send(message, at: now) } catch { return outcome }
        for _ in 0..<100_000 {
            switch action {
            case .transmit(let frame, _):
                #expect(frame.data.count <= format.transmitDataLength)
                #expect(format.isFD ? CANPayload.isValidFDLength(frame.data.count) : frame.data.count <= 8)
                #expect(frame.isFD == format.isFD)
                if format.paddingByte != nil { #expect(frame.data.count >= 8) }
                if frame.data[address.addressByteCount] >> 4 == 2 {
                    // STmin separates consecutive frames within a block (§9.6.5.4).
                    if let last = lastConsecutiveFrame { #expect(now - last >= separationTime.duration) }
                    lastConsecutiveFrame = now
                    outcome.consecutiveFrames += 1
                }
                var pendingFlowControl: CANFrame?
                switch receiver.receive(frame, at: now) {
                case .deliver(let bytes): outcome.delivered = bytes
                case .sendFlowControl(let flowControl, _):
                    outcome.flowControls += 1
                    pendingFlowControl = flowControl
                case .awaitConsecutiveFrame: break
                case let other:
                    Issue.record("receiver: \(other)")
                    return outcome
                }
                now += .microseconds(10)
                action = sender.transmitConfirmed(at: now)
                if case .awaitFlowControl = action {
                    guard let flowControl = pendingFlowControl else {
                        Issue.record("sender waits for a flow control the receiver did not send")
                        return outcome
                    }
                    lastConsecutiveFrame = nil
                    action = sender.receive(flowControl, at: now)
                } else if pendingFlowControl != nil {
                    Issue.record("receiver sent a flow control the sender did not wait for")
                }
            case .awaitSeparationTime(let until):
                now = until
                action = sender.timerFired(at: now)
            case .completed:
                return outcome
            case .none, .awaitFlowControl, .failed:
                Issue.record("sender stuck: \(action)")
                return outcome
            }
        }
        return outcome
    }

    @Test func everyBoundaryLengthInEveryModeAndFormat() {
        for (name, address) in testerAddresses {
            for format in Self.formats {
                for length in Self.boundaryLengths {
                    let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
                    let outcome = Self.transfer(
                        message, address: address, format: format, blockSize: 0, separationTime: .zero)
                    #expect(outcome.delivered == message, "\(name) \(format) \(length) bytes")
                    let single = format.singleFrameCapacity(addressBytes: address.addressByteCount)
                    #expect(outcome.flowControls == (length > single ? 1 : 0))
                }
            }
        }
    }

    /// The longest message the receiver here accepts (its configured maximum, 65536 bytes, sent with the 32-bit
    /// first-frame length escape) comes back whole in the extended and FD extremes; one byte more is refused with
    /// an overflow flow control, and an empty message is never sent.
    @Test func theMaximumLengthAndOneMore() throws {
        let maximum = 1 << 16
        let message = (0..<maximum).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        // Normal and extended 11-bit (the fewest and the most frames); every mode is checked at 5000 bytes above.
        let modes = testerAddresses.filter { ["normal 11-bit", "extended 11-bit (Toyota DCM)"].contains($0.name) }
        #expect(modes.count == 2)
        for (name, address) in modes {
            for format in [ISOTPFrameFormat.classic(), .fd(transmitDataLength: 64)] {
                let outcome = Self.transfer(message, address: address, format: format, blockSize: 0, separationTime: .zero)
                #expect(outcome.delivered == message, "\(name) \(format): \(maximum) bytes")
            }
        }
        let address = testerAddresses[0].address
        var sender = ISOTPSegmenter(configuration: .init(address: address, format: .classic()))
        var receiver = ISOTPReassembler(
            configuration: .init(address: address.reversed, format: .classic(), maximumMessageLength: maximum))
        guard case .transmit(let firstFrame, _) = try sender.send(message + [0], at: .zero) else {
            Issue.record("no first frame")
            return
        }
        guard case .rejectMessage(let flowControl, _) = receiver.receive(firstFrame, at: .zero) else {
            Issue.record("the receiver did not reject the first frame of \(maximum + 1) bytes")
            return
        }
        let decoded = try ISOTPFrame(decoding: flowControl.data, addressBytes: address.addressByteCount)
        #expect(decoded == .flowControl(ISOTPFlowControl(status: .overflow)))
        var emptySender = ISOTPSegmenter(configuration: .init(address: address))
        #expect(throws: (any Error).self) { try emptySender.send([], at: .zero) }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func seededRandomTransfers(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<1000 {
            let (name, address) = testerAddresses.randomElement(using: &generator)!
            let format = Self.formats.randomElement(using: &generator)!
            let length =
                Int.random(in: 0..<10, using: &generator) == 0
                ? Int.random(in: 3000...6000, using: &generator) : Int.random(in: 1...300, using: &generator)
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let blockSize = [0, 1, 2, 3, 8, 255].randomElement(using: &generator)!
            let separationTime = ISOTPSeparationTime(
                rawValue: [0x00, 0x01, 0x05, 0x7F, 0xF1, 0xF9, 0x80, 0xFA].randomElement(using: &generator)!)
            let outcome = Self.transfer(
                message, address: address, format: format, blockSize: UInt8(blockSize), separationTime: separationTime)
            #expect(outcome.delivered == message, "\(name) \(format) \(length) bytes BS \(blockSize) \(separationTime)")
            let single = format.singleFrameCapacity(addressBytes: address.addressByteCount)
            if length > single {
                let blocks = blockSize == 0 ? 1 : (outcome.consecutiveFrames + blockSize - 1) / blockSize
                #expect(outcome.flowControls == blocks)
            }
        }
    }
}
