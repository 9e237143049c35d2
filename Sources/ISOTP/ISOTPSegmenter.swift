public import CANCore

/// The sending half of an ISO-TP link as a state machine without I/O: a message in, CAN frames out,
/// paced by the receiver's flow control (ISO 15765-2:2016 §9.6.5, §9.8).
///
/// Time is a `Duration` since any fixed origin the caller chooses (the channel uses the time since it was
/// made; tests use literal instants). Each event returns one ``Action`` for the caller to perform; the
/// machine arms at most one timer at a time, whose instant is also in ``deadline``. Call ``timerFired(at:)``
/// when that instant has passed (a call before it is harmless).
///
/// ```
/// idle ──send──▶ transmitting ──confirmed──▶ idle (SF, last CF)
///                    │  ▲                 └─▶ awaitingFlowControl (after FF or a full block) ──CTS──▶ transmitting
///                    │  └── STmin over ── separating ◀── confirmed (more CFs in the block, STmin > 0)
///                    └── N_As over ──▶ idle (transmitTimeout)
/// ```
public struct ISOTPSegmenter: Sendable {
    /// The sender's parameters.
    public struct Configuration: Hashable, Sendable {
        /// Our ids and address bytes.
        public var address: ISOTPAddress
        /// Classic or FD, TX_DL, padding.
        public var format: ISOTPFrameFormat
        /// N_As: how long the transport may take to accept a frame we send.
        public var transmitTimeout: Duration
        /// N_Bs: how long we wait for a flow-control frame after a first frame, a full block or a WAIT.
        public var flowControlTimeout: Duration
        /// N_WFTmax: how many FC WAIT frames in a row we accept before giving up.
        public var maximumWaitFrames: Int
        /// Replaces the receiver's STmin when set (for ECUs that ask for more than they need, or less).
        public var separationTimeOverride: Duration?
        /// The longest message ``ISOTPSegmenter/send(_:at:)`` accepts (at most 2³² - 1).
        public var maximumMessageLength: Int

        /// Creates a configuration; the timeouts default to the standard's 1000 ms.
        public init(
            address: ISOTPAddress, format: ISOTPFrameFormat = .classic(),
            transmitTimeout: Duration = .milliseconds(1000), flowControlTimeout: Duration = .milliseconds(1000),
            maximumWaitFrames: Int = 10, separationTimeOverride: Duration? = nil,
            maximumMessageLength: Int = Int(UInt32.max)
        ) {
            self.address = address
            self.format = format
            self.transmitTimeout = transmitTimeout
            self.flowControlTimeout = flowControlTimeout
            self.maximumWaitFrames = maximumWaitFrames
            self.separationTimeOverride = separationTimeOverride
            self.maximumMessageLength = min(maximumMessageLength, Int(UInt32.max))
        }
    }

    /// What the caller does next.
    public enum Action: Hashable, Sendable {
        /// Nothing (a frame that is not our flow control, or a timer that fired early while idle).
        case none
        /// Send `frame`, then call ``transmitConfirmed(at:)`` once the transport took it; N_As ends at
        /// `confirmBy`.
        case transmit(CANFrame, confirmBy: Duration)
        /// Wait for the receiver's flow control; N_Bs ends at the instant given.
        case awaitFlowControl(until: Duration)
        /// Wait out STmin, then call ``timerFired(at:)`` for the next consecutive frame.
        case awaitSeparationTime(until: Duration)
        /// The whole message was sent. Cancel any timer.
        case completed
        /// The transfer was aborted; the machine is idle again. Cancel any timer.
        case failed(ISOTPError)
    }

    struct Transfer: Sendable {
        var message: [UInt8]
        /// Bytes already put into frames.
        var offset: Int
        var nextSequenceNumber: UInt8
        /// Consecutive frames left before the next flow control; nil when the receiver sent BS = 0.
        var framesLeftInBlock: Int?
        var separationTime: Duration
        /// True after sending a first frame or the last frame of a block.
        var needsFlowControl: Bool
    }

    enum State: Sendable {
        case idle
        case transmitting(Transfer, confirmBy: Duration)
        case awaitingFlowControl(Transfer, until: Duration, waitFrames: Int)
        case separating(Transfer, until: Duration)
    }

    /// The parameters this machine was made with.
    public let configuration: Configuration
    private(set) var state: State = .idle

    /// Creates an idle segmenter.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// True while a message is being sent.
    public var isSending: Bool {
        if case .idle = state { return false }
        return true
    }

    /// The instant of the armed timer (N_As, N_Bs or the end of STmin), or nil.
    public var deadline: Duration? {
        switch state {
        case .idle: nil
        case .transmitting(_, let instant), .awaitingFlowControl(_, let instant, _), .separating(_, let instant):
            instant
        }
    }

    private var addressBytes: Int { configuration.address.addressByteCount }

    /// Starts sending `message`: returns its single frame or first frame to transmit.
    ///
    /// - Throws: ``ISOTPError`` `transmitterBusy` while a message is still being sent, `invalidMessageLength`
    ///   for an empty message or one above ``Configuration/maximumMessageLength``.
    public mutating func send(_ message: [UInt8], at now: Duration) throws(ISOTPError) -> Action {
        guard case .idle = state else {
            throw ISOTPError(.transmitterBusy, "a message is still being sent", canID: configuration.address.transmitID)
        }
        guard !message.isEmpty, message.count <= configuration.maximumMessageLength else {
            throw ISOTPError(
                .invalidMessageLength,
                "message of \(message.count) bytes (1-\(configuration.maximumMessageLength) allowed)",
                canID: configuration.address.transmitID)
        }
        let format = configuration.format
        var transfer = Transfer(
            message: message, offset: 0, nextSequenceNumber: 1, framesLeftInBlock: nil, separationTime: .zero,
            needsFlowControl: false)
        let pdu: ISOTPFrame
        if message.count <= format.singleFrameCapacity(addressBytes: addressBytes) {
            pdu = .single(CANPayload(message)!)
            transfer.offset = message.count
        } else {
            let capacity = format.firstFrameCapacity(messageLength: message.count, addressBytes: addressBytes)
            pdu = .first(messageLength: message.count, CANPayload(message[0..<capacity])!)
            transfer.offset = capacity
            transfer.needsFlowControl = true
        }
        return transmit(pdu, transfer, at: now)
    }

    /// The transport accepted the frame of the last ``Action/transmit(_:confirmBy:)``.
    public mutating func transmitConfirmed(at now: Duration) -> Action {
        guard case .transmitting(var transfer, let confirmBy) = state else { return .none }
        guard now <= confirmBy else { return fail(transmitTimeoutError(at: now)) }
        if transfer.offset == transfer.message.count {
            state = .idle
            return .completed
        }
        if transfer.needsFlowControl {
            transfer.needsFlowControl = false
            let until = now + configuration.flowControlTimeout
            state = .awaitingFlowControl(transfer, until: until, waitFrames: 0)
            return .awaitFlowControl(until: until)
        }
        if transfer.separationTime > .zero {
            let until = now + transfer.separationTime
            state = .separating(transfer, until: until)
            return .awaitSeparationTime(until: until)
        }
        return transmitConsecutiveFrame(transfer, at: now)
    }

    /// A frame arrived; flow-control frames for our address drive the transfer, everything else is ignored.
    ///
    /// A flow control that arrives when none is awaited is ignored (§9.8.3).
    public mutating func receive(_ frame: CANFrame, at now: Duration) -> Action {
        guard configuration.address.accepts(frame),
            let pdu = try? ISOTPFrame(decoding: frame.data, addressBytes: addressBytes),
            case .flowControl(let flowControl) = pdu,
            case .awaitingFlowControl(var transfer, _, let waitFrames) = state
        else { return .none }
        let id = frame.id
        if configuration.format.checksReceivedPadding,
            let start = pdu.paddingStart(frameLength: frame.data.count, addressBytes: addressBytes)
        {
            do throws(ISOTPError) {
                try ISOTPFrame.checkPadding(frame.data, from: start, byte: configuration.format.fillByte)
            } catch {
                return fail(error.located(canID: id, at: now))
            }
        }
        switch flowControl.status {
        case .continueToSend:
            transfer.framesLeftInBlock = flowControl.blockSize == 0 ? nil : Int(flowControl.blockSize)
            transfer.separationTime = configuration.separationTimeOverride ?? flowControl.separationTime.duration
            return transmitConsecutiveFrame(transfer, at: now)
        case .wait:
            guard waitFrames < configuration.maximumWaitFrames else {
                return fail(
                    ISOTPError(
                        .waitFrameLimitExceeded,
                        "wait frame \(waitFrames + 1) (N_WFTmax \(configuration.maximumWaitFrames))",
                        canID: id, timestamp: now))
            }
            let until = now + configuration.flowControlTimeout
            state = .awaitingFlowControl(transfer, until: until, waitFrames: waitFrames + 1)
            return .awaitFlowControl(until: until)
        case .overflow:
            return fail(
                ISOTPError(
                    .receiverOverflow, "receiver cannot take \(transfer.message.count) bytes", canID: id, timestamp: now
                ))
        default:
            return fail(
                ISOTPError(.invalidFlowStatus, "flow status \(flowControl.status.rawValue)", canID: id, timestamp: now))
        }
    }

    /// The armed timer's instant has come.
    public mutating func timerFired(at now: Duration) -> Action {
        switch state {
        case .idle:
            return .none
        case .transmitting(_, let confirmBy):
            return now >= confirmBy ? fail(transmitTimeoutError(at: now)) : .none
        case .awaitingFlowControl(_, let until, _):
            guard now >= until else { return .awaitFlowControl(until: until) }
            return fail(
                ISOTPError(
                    .flowControlTimeout, "no flow control within \(configuration.flowControlTimeout) (N_Bs)",
                    canID: configuration.address.receiveID, timestamp: now))
        case .separating(let transfer, let until):
            guard now >= until else { return .awaitSeparationTime(until: until) }
            return transmitConsecutiveFrame(transfer, at: now)
        }
    }

    /// Abandons the message being sent, if any.
    public mutating func reset() {
        state = .idle
    }

    private mutating func transmitConsecutiveFrame(_ transfer: Transfer, at now: Duration) -> Action {
        var transfer = transfer
        let capacity = configuration.format.consecutiveFrameCapacity(addressBytes: addressBytes)
        let end = min(transfer.message.count, transfer.offset + capacity)
        let pdu = ISOTPFrame.consecutive(
            sequenceNumber: transfer.nextSequenceNumber, CANPayload(transfer.message[transfer.offset..<end])!)
        transfer.offset = end
        transfer.nextSequenceNumber = (transfer.nextSequenceNumber + 1) & 0x0F
        if let framesLeft = transfer.framesLeftInBlock {
            transfer.framesLeftInBlock = framesLeft - 1
            transfer.needsFlowControl = framesLeft == 1
        }
        return transmit(pdu, transfer, at: now)
    }

    private mutating func transmit(_ pdu: ISOTPFrame, _ transfer: Transfer, at now: Duration) -> Action {
        let address = configuration.address
        let frame = CANFrame(
            unchecked: address.transmitID, kind: configuration.format.frameKind,
            data: pdu.encoded(addressExtension: address.transmitAddressExtension, format: configuration.format),
            timestamp: nil, interface: nil)
        let confirmBy = now + configuration.transmitTimeout
        state = .transmitting(transfer, confirmBy: confirmBy)
        return .transmit(frame, confirmBy: confirmBy)
    }

    private mutating func fail(_ error: ISOTPError) -> Action {
        state = .idle
        return .failed(error)
    }

    private func transmitTimeoutError(at now: Duration) -> ISOTPError {
        ISOTPError(
            .transmitTimeout, "transport did not take the frame within \(configuration.transmitTimeout) (N_As)",
            canID: configuration.address.transmitID, timestamp: now)
    }
}
