public import CANCore

/// The receiving half of an ISO-TP link as a state machine without I/O: CAN frames in, messages and our
/// flow-control frames out (ISO 15765-2:2016 §9.6, §9.8).
///
/// Time is a `Duration` since any fixed origin the caller chooses, as for ``ISOTPSegmenter``. Frames not
/// addressed to us (other ids, another address byte, remote and error frames) and flow-control frames (the
/// segmenter's business) give ``Action/none``. After every action the machine is in a defined state and
/// ready for the next frame: errors never wedge it.
public struct ISOTPReassembler: Sendable {
    /// The receiver's parameters.
    public struct Configuration: Hashable, Sendable {
        /// Our ids and address bytes (we receive on `receiveID`, send flow control on `transmitID`).
        public var address: ISOTPAddress
        /// How we lay out our flow-control frames, and whether received padding is checked.
        public var format: ISOTPFrameFormat
        /// BS we ask for: consecutive frames per flow control, 0 for all at once.
        public var blockSize: UInt8
        /// STmin we ask for.
        public var separationTime: ISOTPSeparationTime
        /// N_Cr: how long we wait for the next consecutive frame.
        public var consecutiveFrameTimeout: Duration
        /// The longest message we accept; a longer first frame is answered with FC overflow.
        public var maximumMessageLength: Int

        /// Creates a configuration; N_Cr defaults to the standard's 1000 ms, the message limit to 1 MiB.
        public init(
            address: ISOTPAddress, format: ISOTPFrameFormat = .classic(), blockSize: UInt8 = 0,
            separationTime: ISOTPSeparationTime = .zero, consecutiveFrameTimeout: Duration = .milliseconds(1000),
            maximumMessageLength: Int = 1 << 20
        ) {
            self.address = address
            self.format = format
            self.blockSize = blockSize
            self.separationTime = separationTime
            self.consecutiveFrameTimeout = consecutiveFrameTimeout
            self.maximumMessageLength = maximumMessageLength
        }
    }

    /// What the caller does next.
    public indirect enum Action: Hashable, Sendable {
        /// Nothing: the frame was not for us, or was a flow control, or a timer fired with nothing armed.
        case none
        /// Send our flow-control `frame`; N_Cr for the next consecutive frame ends at the instant given.
        case sendFlowControl(CANFrame, awaitConsecutiveFrameUntil: Duration)
        /// A consecutive frame was taken; N_Cr for the next one ends at the instant given.
        case awaitConsecutiveFrame(until: Duration)
        /// A whole message arrived. Cancel any timer.
        case deliver([UInt8])
        /// The frame was ignored for the reason given; a reception in progress goes on (its timer too).
        case discard(ISOTPError)
        /// The reception in progress was abandoned; the machine is idle. Cancel any timer.
        case abort(ISOTPError)
        /// A first frame announced a message above our limit: send the overflow flow-control `frame` and
        /// report the error. The machine is idle.
        case rejectMessage(CANFrame, ISOTPError)
        /// A new single or first frame cut a reception short: report the error, then perform `then` for the
        /// new message (§9.8.3: the new frame starts a new reception).
        case interrupted(ISOTPError, then: Action)
    }

    struct Reception: Sendable {
        var buffer: [UInt8]
        var expectedLength: Int
        var nextSequenceNumber: UInt8
        /// RX_DL: the CAN_DL of the first frame, which every consecutive frame but the last must match.
        var receiveDataLength: Int
        var framesLeftInBlock: Int
        var deadline: Duration
    }

    enum State: Sendable {
        case idle
        case receiving(Reception)
    }

    /// The parameters this machine was made with.
    public let configuration: Configuration
    private(set) var state: State = .idle

    /// Creates an idle reassembler.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// True while a segmented message is being received.
    public var isReceiving: Bool {
        if case .receiving = state { return true }
        return false
    }

    /// The instant N_Cr ends for the reception in progress, or nil.
    public var deadline: Duration? {
        if case .receiving(let reception) = state { return reception.deadline }
        return nil
    }

    /// The bytes received so far of the message in progress, and its announced length; nil when idle.
    public var partialMessage: (received: [UInt8], expectedLength: Int)? {
        if case .receiving(let reception) = state { return (reception.buffer, reception.expectedLength) }
        return nil
    }

    private var addressBytes: Int { configuration.address.addressByteCount }

    /// A frame arrived.
    public mutating func receive(_ frame: CANFrame, at now: Duration) -> Action {
        guard configuration.address.accepts(frame) else { return .none }
        let pdu: ISOTPFrame
        do throws(ISOTPError) {
            pdu = try ISOTPFrame(decoding: frame.data, addressBytes: addressBytes)
        } catch {
            return .discard(error.located(canID: frame.id, at: now))
        }
        let interrupted: Reception?
        if case .receiving(let reception) = state { interrupted = reception } else { interrupted = nil }
        let action: Action
        let code: ISOTPError.Code
        switch pdu {
        case .flowControl:
            return .none
        case .consecutive(let sequenceNumber, let payload):
            return continueReception(sequenceNumber: sequenceNumber, payload: payload, frame: frame, at: now)
        case .single(let payload):
            if let error = paddingError(pdu, frame, at: now) { return .discard(error) }
            state = .idle
            action = .deliver(Array(payload))
            code = .interruptedBySingleFrame
        case .first(let length, let payload):
            action = startReception(length: length, firstBytes: payload, frame: frame, at: now)
            code = .interruptedByFirstFrame
        }
        guard let interrupted else { return action }
        let error = ISOTPError(
            code, "new message after \(interrupted.buffer.count) of \(interrupted.expectedLength) bytes",
            canID: frame.id, timestamp: now)
        return .interrupted(error, then: action)
    }

    /// The armed timer's instant has come: N_Cr ran out unless a consecutive frame moved it.
    public mutating func timerFired(at now: Duration) -> Action {
        guard case .receiving(let reception) = state else { return .none }
        guard now >= reception.deadline else { return .awaitConsecutiveFrame(until: reception.deadline) }
        state = .idle
        return .abort(
            ISOTPError(
                .consecutiveFrameTimeout,
                "no consecutive frame within \(configuration.consecutiveFrameTimeout) (N_Cr) after "
                    + "\(reception.buffer.count) of \(reception.expectedLength) bytes",
                canID: configuration.address.receiveID, timestamp: now))
    }

    /// Abandons the reception in progress, if any.
    public mutating func reset() {
        state = .idle
    }

    private mutating func startReception(
        length: Int, firstBytes: CANPayload, frame: CANFrame, at now: Duration
    ) -> Action {
        guard length <= configuration.maximumMessageLength else {
            state = .idle
            return .rejectMessage(
                flowControlFrame(.overflow),
                ISOTPError(
                    .messageTooLong,
                    "first frame announces \(length) bytes; limit \(configuration.maximumMessageLength)",
                    canID: frame.id, timestamp: now))
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(min(length, 1 << 16))
        buffer.append(contentsOf: firstBytes)
        let deadline = now + configuration.consecutiveFrameTimeout
        state = .receiving(
            Reception(
                buffer: buffer, expectedLength: length, nextSequenceNumber: 1, receiveDataLength: frame.data.count,
                framesLeftInBlock: Int(configuration.blockSize), deadline: deadline))
        return .sendFlowControl(flowControlFrame(.continueToSend), awaitConsecutiveFrameUntil: deadline)
    }

    private mutating func continueReception(
        sequenceNumber: UInt8, payload: CANPayload, frame: CANFrame, at now: Duration
    ) -> Action {
        guard case .receiving(var reception) = state else {
            return .discard(
                ISOTPError(
                    .unexpectedConsecutiveFrame, "consecutive frame \(sequenceNumber) with no first frame before it",
                    canID: frame.id, timestamp: now))
        }
        guard sequenceNumber == reception.nextSequenceNumber else {
            state = .idle
            return .abort(
                ISOTPError(
                    .sequenceNumberMismatch,
                    "sequence number \(sequenceNumber), expected \(reception.nextSequenceNumber) after "
                        + "\(reception.buffer.count) of \(reception.expectedLength) bytes",
                    canID: frame.id, timestamp: now))
        }
        let capacity = reception.receiveDataLength - 1 - addressBytes
        let needed = min(reception.expectedLength - reception.buffer.count, capacity)
        guard frame.data.count <= reception.receiveDataLength, payload.count >= needed else {
            state = .idle
            return .abort(
                ISOTPError(
                    .invalidConsecutiveFrameLength,
                    "consecutive frame of \(frame.data.count) bytes carrying \(payload.count); "
                        + "needs \(needed), RX_DL \(reception.receiveDataLength)",
                    canID: frame.id, timestamp: now))
        }
        reception.buffer.append(contentsOf: payload.prefix(needed))
        if reception.buffer.count == reception.expectedLength {
            state = .idle
            if configuration.format.checksReceivedPadding {
                do throws(ISOTPError) {
                    try ISOTPFrame.checkPadding(
                        frame.data, from: addressBytes + 1 + needed, byte: configuration.format.fillByte)
                } catch {
                    return .abort(error.located(canID: frame.id, at: now))
                }
            }
            return .deliver(reception.buffer)
        }
        reception.nextSequenceNumber = (sequenceNumber + 1) & 0x0F
        reception.deadline = now + configuration.consecutiveFrameTimeout
        if configuration.blockSize > 0 {
            reception.framesLeftInBlock -= 1
            if reception.framesLeftInBlock == 0 {
                reception.framesLeftInBlock = Int(configuration.blockSize)
                state = .receiving(reception)
                return .sendFlowControl(
                    flowControlFrame(.continueToSend), awaitConsecutiveFrameUntil: reception.deadline)
            }
        }
        state = .receiving(reception)
        return .awaitConsecutiveFrame(until: reception.deadline)
    }

    private func paddingError(_ pdu: ISOTPFrame, _ frame: CANFrame, at now: Duration) -> ISOTPError? {
        guard configuration.format.checksReceivedPadding,
            let start = pdu.paddingStart(frameLength: frame.data.count, addressBytes: addressBytes)
        else { return nil }
        do throws(ISOTPError) {
            try ISOTPFrame.checkPadding(frame.data, from: start, byte: configuration.format.fillByte)
            return nil
        } catch {
            return error.located(canID: frame.id, at: now)
        }
    }

    private func flowControlFrame(_ status: ISOTPFlowStatus) -> CANFrame {
        let address = configuration.address
        let pdu = ISOTPFrame.flowControl(
            ISOTPFlowControl(
                status: status, blockSize: configuration.blockSize, separationTime: configuration.separationTime))
        return CANFrame(
            unchecked: address.transmitID, kind: configuration.format.frameKind,
            data: pdu.encoded(addressExtension: address.transmitAddressExtension, format: configuration.format),
            timestamp: nil, interface: nil)
    }
}
