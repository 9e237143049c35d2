public import CANCore

/// Reassembles every ISO-TP message in a stream of observed frames (a log, or a listen-only socket), in both
/// directions and for many ECUs at once, with no prior configuration.
///
/// Which frames are ISO-TP: by default 11-bit ids 0x700-0x7FF and the 29-bit families 0x18DA/0x18DB
/// (normal fixed) and 0x18CE/0x18CD (mixed, with an address byte); ``Configuration/additionalPairs`` adds
/// others. Everything else is counted as not diagnostic after a couple of comparisons, with no lookup and no
/// allocation, so ordinary broadcast traffic (0x1A0 with a first byte 0x10) is never taken for a first frame.
///
/// Pairing: 0x7DF is a functional request; in 0x700-0x7FF an id with bit 3 clear is a request answered on
/// id + 8 (0x7E0 → 0x7E8, 0x7B0 → 0x7B8, 0x750 → 0x758), an id with bit 3 set a response to id - 8. For
/// 0x18DA<TA><SA> the peer is 0x18DA<SA><TA>, and a source address of an external tester (0xF1, 0xF9, 0xFA)
/// makes it a request. Ids in ``Configuration/extendedAddressingIDs`` (0x750 and 0x758 by default) carry the
/// ECU sub-address as their first byte; state is kept per (id, address byte), so interleaved conversations
/// with several ECUs behind one gateway id reassemble independently.
///
/// Accounting: every frame fed ends in exactly one bucket of ``statistics`` (part of a message, flow
/// control, not diagnostic, pending in a partial message, or rejected with a reason), and
/// ``Statistics/accountedFrames`` equals ``Statistics/framesFed`` after every call.
public struct ISOTPFlowTracker: Sendable {
    /// A request/response id pair to watch in addition to (or instead of) the default rules.
    public struct Pair: Hashable, Sendable {
        /// The tester's id.
        public var request: CANIdentifier
        /// The ECU's id.
        public var response: CANIdentifier
        /// Whether frames on both ids start with an extended or mixed address byte.
        public var usesAddressByte: Bool

        /// Creates a pair.
        public init(request: CANIdentifier, response: CANIdentifier, usesAddressByte: Bool = false) {
            self.request = request
            self.response = response
            self.usesAddressByte = usesAddressByte
        }
    }

    /// What the tracker watches and how long it waits.
    public struct Configuration: Hashable, Sendable {
        /// 11-bit ids in 0x700-0x7FF whose frames start with an extended address byte.
        public var extendedAddressingIDs: Set<CANIdentifier>
        /// Pairs outside the default ranges, or inside them with other pairing or addressing; they win over
        /// the default rules.
        public var additionalPairs: [Pair]
        /// A consecutive frame later than this after the previous frame of its message means the message
        /// timed out (N_Cr as seen from the log).
        public var consecutiveFrameTimeout: Duration
        /// First frames announcing more than this are rejected (``RejectReason/messageTooLong``).
        public var maximumMessageLength: Int

        /// The defaults: Toyota's 0x750/0x758 gateway with extended addressing, a 1 s gap limit, 1 MiB messages.
        public init(
            extendedAddressingIDs: Set<CANIdentifier> = [.standard(0x750)!, .standard(0x758)!],
            additionalPairs: [Pair] = [], consecutiveFrameTimeout: Duration = .seconds(1),
            maximumMessageLength: Int = 1 << 20
        ) {
            self.extendedAddressingIDs = extendedAddressingIDs
            self.additionalPairs = additionalPairs
            self.consecutiveFrameTimeout = consecutiveFrameTimeout
            self.maximumMessageLength = maximumMessageLength
        }
    }

    /// Why observed frames did not become a message.
    public enum RejectReason: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// A PCI the codec rejects: reserved type, impossible SF_DL or FF_DL, too few bytes.
        case invalidProtocolControlInformation
        /// A flow-control frame with a reserved flow status.
        case invalidFlowControl
        /// A consecutive frame with no first frame before it on its id and address byte.
        case unexpectedConsecutiveFrame
        /// A consecutive frame with the wrong sequence number (the message and this frame).
        case sequenceError
        /// A consecutive frame shorter than RX_DL before the last, or longer than the first frame.
        case invalidConsecutiveFrameLength
        /// The next consecutive frame came after more than the timeout, or never came before later traffic.
        case timeout
        /// The input ended inside the message.
        case truncatedAtEndOfInput
        /// A new first frame on the same id and address byte cut the message short.
        case interruptedByFirstFrame
        /// A single frame on the same id and address byte cut the message short.
        case interruptedBySingleFrame
        /// The receiver answered the first frame with flow control overflow.
        case receiverOverflow
        /// The first frame announced more than ``Configuration/maximumMessageLength``.
        case messageTooLong

        /// The reason in words, for summaries.
        public var description: String {
            switch self {
            case .invalidProtocolControlInformation: "invalid PCI"
            case .invalidFlowControl: "invalid flow control"
            case .unexpectedConsecutiveFrame: "unexpected consecutive frame"
            case .sequenceError: "sequence error"
            case .invalidConsecutiveFrameLength: "invalid consecutive frame length"
            case .timeout: "missing consecutive frame (timeout)"
            case .truncatedAtEndOfInput: "truncated at end of input"
            case .interruptedByFirstFrame: "interrupted by a new first frame"
            case .interruptedBySingleFrame: "interrupted by a single frame"
            case .receiverOverflow: "receiver overflow"
            case .messageTooLong: "message too long"
            }
        }
    }

    /// Where every frame fed went.
    public struct Statistics: Hashable, Sendable {
        /// Frames fed so far.
        public var framesFed = 0
        /// Single, first and consecutive frames of completed messages.
        public var messageFrames = 0
        /// Flow-control frames (whether or not a message in progress was found for them).
        public var flowControlFrames = 0
        /// Frames outside the diagnostic ids, and remote and error frames.
        public var nonDiagnosticFrames = 0
        /// First and consecutive frames of messages still in progress.
        public var pendingFrames = 0
        /// Completed messages.
        public var messages = 0
        /// Frames rejected, by reason (a whole abandoned message counts all its frames).
        public var rejectedFrames: [RejectReason: Int] = [:]
        /// How many times each reason struck (one per abandoned message or rejected frame).
        public var rejections: [RejectReason: Int] = [:]

        /// Creates empty statistics.
        public init() {}

        /// The sum of all buckets; equals ``framesFed``.
        public var accountedFrames: Int {
            messageFrames + flowControlFrames + nonDiagnosticFrames + pendingFrames
                + rejectedFrames.values.reduce(0, +)
        }

        /// Statistics of two stretches of input added up.
        public static func + (lhs: Statistics, rhs: Statistics) -> Statistics {
            var sum = lhs
            sum.framesFed += rhs.framesFed
            sum.messageFrames += rhs.messageFrames
            sum.flowControlFrames += rhs.flowControlFrames
            sum.nonDiagnosticFrames += rhs.nonDiagnosticFrames
            sum.pendingFrames += rhs.pendingFrames
            sum.messages += rhs.messages
            sum.rejectedFrames.merge(rhs.rejectedFrames, uniquingKeysWith: +)
            sum.rejections.merge(rhs.rejections, uniquingKeysWith: +)
            return sum
        }
    }

    /// How a diagnostic frame is read: its stream, its peer and which way it goes.
    struct Route {
        var addressBytes: Int
        var peerID: CANIdentifier?
        var direction: ISOTPDirection
        var targetType: ISOTPTargetType
    }

    /// The configuration in use.
    public let configuration: Configuration
    /// Where every frame fed so far went.
    public private(set) var statistics = Statistics()
    /// Messages in progress, keyed by id, format and address byte.
    private(set) var streams: [UInt64: ISOTPFlowPartialMessage] = [:]
    /// The latest timestamp seen, to tell a timed-out message from one cut off by the end of input.
    public private(set) var latestTimestamp: Duration?
    /// Bit n set: 11-bit id n starts with an address byte.
    private let extendedStandardIDs: [UInt64]
    /// Bit n set: 11-bit id n below 0x700 belongs to an additional pair.
    private let additionalStandardIDs: [UInt64]
    private let hasAdditionalExtendedIDs: Bool

    private static let testerAddresses: Set<UInt8> = [0xF1, 0xF9, 0xFA]

    /// Creates a tracker with no message in progress.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        var extended = [UInt64](repeating: 0, count: 32)
        var additional = [UInt64](repeating: 0, count: 32)
        for id in configuration.extendedAddressingIDs where !id.isExtended {
            extended[Int(id.value >> 6)] |= 1 << (id.value & 63)
        }
        for pair in configuration.additionalPairs {
            for id in [pair.request, pair.response] where !id.isExtended {
                additional[Int(id.value >> 6)] |= 1 << (id.value & 63)
                if pair.usesAddressByte { extended[Int(id.value >> 6)] |= 1 << (id.value & 63) }
            }
        }
        extendedStandardIDs = extended
        additionalStandardIDs = additional
        hasAdditionalExtendedIDs = configuration.additionalPairs.contains {
            $0.request.isExtended || $0.response.isExtended
        }
    }

    /// The messages in progress, oldest first: what a tracker for the next stretch of a log must carry on.
    public var inProgress: [ISOTPFlowPartialMessage] {
        streams.values.sorted {
            ($0.message.firstTimestamp ?? .zero, $0.message.id) < ($1.message.firstTimestamp ?? .zero, $1.message.id)
        }
    }

    /// Takes one frame; returns the message it completes, if any.
    public mutating func feed(_ frame: CANFrame) -> ISOTPFlowMessage? {
        statistics.framesFed += 1
        if let timestamp = frame.timestamp { latestTimestamp = timestamp }
        guard let route = route(for: frame) else {
            statistics.nonDiagnosticFrames += 1
            return nil
        }
        return track(frame, route)
    }

    /// Whether data frames on `id` can be diagnostic at all. False means every frame on `id` is counted as not
    /// diagnostic whatever it holds, so a reader may count such frames (``passOver(nonDiagnosticFrames:latestTimestamp:)``)
    /// instead of feeding them. For 29-bit ids the answer is the same for all ids sharing the upper 13 bits.
    public func watches(_ id: CANIdentifier) -> Bool {
        let value = id.value
        if id.format == .standard {
            return value >= 0x700 || additionalStandardIDs[Int(value >> 6)] & (1 << (value & 63)) != 0
        }
        switch value >> 16 {
        case 0x18DA, 0x18DB, 0x18CE, 0x18CD: return true
        default: return hasAdditionalExtendedIDs
        }
    }

    /// Accounts for `count` data frames on ids the tracker does not watch (see ``watches(_:)``), fed in their
    /// place: exactly what feeding them would do. `latestTimestamp` is the time of the last of them, if any.
    public mutating func passOver(nonDiagnosticFrames count: Int, latestTimestamp: Duration?) {
        statistics.framesFed += count
        statistics.nonDiagnosticFrames += count
        if count > 0, let latestTimestamp { self.latestTimestamp = latestTimestamp }
    }

    /// Ends the input: every message still in progress is counted as rejected (timed out when later traffic
    /// came more than the timeout after its last frame, else truncated) and returned.
    public mutating func finish() -> [ISOTPFlowPartialMessage] {
        let abandoned = inProgress
        streams.removeAll()
        for partial in abandoned {
            let timedOut =
                if let last = partial.message.lastTimestamp, let latestTimestamp {
                    latestTimestamp - last > configuration.consecutiveFrameTimeout
                } else { false }
            abandon(partial, timedOut ? .timeout : .truncatedAtEndOfInput)
        }
        return abandoned
    }

    /// Reassembles all of `frames`: the messages in order of completion, and the statistics after
    /// ``finish()``.
    public static func reassemble<Frames: Sequence<CANFrame>>(
        _ frames: Frames, configuration: Configuration = Configuration()
    ) -> (messages: [ISOTPFlowMessage], statistics: Statistics) {
        var tracker = ISOTPFlowTracker(configuration: configuration)
        var messages: [ISOTPFlowMessage] = []
        for frame in frames {
            if let message = tracker.feed(frame) { messages.append(message) }
        }
        _ = tracker.finish()
        return (messages, tracker.statistics)
    }

    // MARK: - Routing

    @inline(__always)
    private func route(for frame: CANFrame) -> Route? {
        let value = frame.id.value
        if frame.id.format == .standard {
            if value < 0x700 {
                guard additionalStandardIDs[Int(value >> 6)] & (1 << (value & 63)) != 0 else { return nil }
            }
        } else {
            switch value >> 16 {
            case 0x18DA, 0x18DB, 0x18CE, 0x18CD: break
            default: guard hasAdditionalExtendedIDs else { return nil }
            }
        }
        guard frame.isDataFrame else { return nil }
        return diagnosticRoute(frame.id)
    }

    private func diagnosticRoute(_ id: CANIdentifier) -> Route? {
        for pair in configuration.additionalPairs {
            let bytes = pair.usesAddressByte ? 1 : 0
            if id == pair.request {
                return Route(addressBytes: bytes, peerID: pair.response, direction: .request, targetType: .physical)
            }
            if id == pair.response {
                return Route(addressBytes: bytes, peerID: pair.request, direction: .response, targetType: .physical)
            }
        }
        let value = id.value
        if !id.isExtended {
            guard value >= 0x700 else { return nil }
            let bytes = extendedStandardIDs[Int(value >> 6)] & (1 << (value & 63)) != 0 ? 1 : 0
            if value == 0x7DF {
                return Route(addressBytes: bytes, peerID: nil, direction: .request, targetType: .functional)
            }
            if value & 0x8 == 0 {
                return Route(
                    addressBytes: bytes, peerID: .standard(value + 8), direction: .request, targetType: .physical)
            }
            return Route(addressBytes: bytes, peerID: .standard(value - 8), direction: .response, targetType: .physical)
        }
        let family = value >> 16
        let bytes = family == 0x18CE || family == 0x18CD ? 1 : 0
        switch family {
        case 0x18DB, 0x18CD:
            return Route(addressBytes: bytes, peerID: nil, direction: .request, targetType: .functional)
        case 0x18DA, 0x18CE:
            let target = UInt8(truncatingIfNeeded: value >> 8)
            let source = UInt8(truncatingIfNeeded: value)
            let peer = CANIdentifier.extended(family << 16 | UInt32(source) << 8 | UInt32(target))
            let isResponse = !Self.testerAddresses.contains(source) && Self.testerAddresses.contains(target)
            return Route(
                addressBytes: bytes, peerID: peer, direction: isResponse ? .response : .request, targetType: .physical)
        default:
            return nil
        }
    }

    private static func key(_ id: CANIdentifier, _ addressExtension: UInt8?) -> UInt64 {
        UInt64(id.value) | UInt64(id.format.rawValue) << 29 | (addressExtension.map { UInt64($0) | 0x100 } ?? 0) << 32
    }

    // MARK: - Reassembly

    private mutating func track(_ frame: CANFrame, _ route: Route) -> ISOTPFlowMessage? {
        let addressExtension: UInt8? = route.addressBytes == 1 ? frame.data.first : nil
        let pdu: ISOTPFrame
        do throws(ISOTPError) {
            pdu = try ISOTPFrame(decoding: frame.data, addressBytes: route.addressBytes)
        } catch {
            reject(frames: 1, .invalidProtocolControlInformation)
            return nil
        }
        let key = Self.key(frame.id, addressExtension)
        switch pdu {
        case .single(let payload):
            if let old = streams.removeValue(forKey: key) { abandon(old, .interruptedBySingleFrame) }
            statistics.messageFrames += 1
            statistics.messages += 1
            return ISOTPFlowMessage(
                id: frame.id, peerID: route.peerID, addressExtension: addressExtension, direction: route.direction,
                targetType: route.targetType, firstTimestamp: frame.timestamp, lastTimestamp: frame.timestamp,
                payload: Array(payload), frameCount: 1, flowControlFrameCount: 0, interface: frame.interface)
        case .first(let length, let payload):
            if let old = streams.removeValue(forKey: key) { abandon(old, .interruptedByFirstFrame) }
            guard length <= configuration.maximumMessageLength else {
                reject(frames: 1, .messageTooLong)
                return nil
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(min(length, 1 << 16))
            bytes.append(contentsOf: payload)
            let message = ISOTPFlowMessage(
                id: frame.id, peerID: route.peerID, addressExtension: addressExtension, direction: route.direction,
                targetType: route.targetType, firstTimestamp: frame.timestamp, lastTimestamp: frame.timestamp,
                payload: bytes, frameCount: 1, flowControlFrameCount: 0, interface: frame.interface)
            streams[key] = ISOTPFlowPartialMessage(
                message: message, expectedLength: length, nextSequenceNumber: 1, receiveDataLength: frame.data.count)
            statistics.pendingFrames += 1
            return nil
        case .consecutive(let sequenceNumber, let payload):
            // Take the partial out so that appending does not copy its buffer.
            guard var partial = streams.removeValue(forKey: key) else {
                reject(frames: 1, .unexpectedConsecutiveFrame)
                return nil
            }
            if let now = frame.timestamp, let last = partial.message.lastTimestamp,
                now - last > configuration.consecutiveFrameTimeout
            {
                abandon(partial, .timeout, extraFrames: 1)
                return nil
            }
            guard sequenceNumber == partial.nextSequenceNumber else {
                abandon(partial, .sequenceError, extraFrames: 1)
                return nil
            }
            let needed = min(
                partial.expectedLength - partial.message.payload.count,
                partial.receiveDataLength - 1 - route.addressBytes)
            guard payload.count >= needed, frame.data.count <= partial.receiveDataLength else {
                abandon(partial, .invalidConsecutiveFrameLength, extraFrames: 1)
                return nil
            }
            partial.message.payload.append(contentsOf: payload.prefix(needed))
            partial.message.frameCount += 1
            partial.message.lastTimestamp = frame.timestamp ?? partial.message.lastTimestamp
            partial.nextSequenceNumber = (sequenceNumber + 1) & 0x0F
            statistics.pendingFrames += 1
            guard partial.message.payload.count == partial.expectedLength else {
                streams[key] = partial
                return nil
            }
            statistics.pendingFrames -= partial.message.frameCount
            statistics.messageFrames += partial.message.frameCount
            statistics.messages += 1
            return partial.message
        case .flowControl(let flowControl):
            guard !flowControl.status.isReserved else {
                reject(frames: 1, .invalidFlowControl)
                return nil
            }
            statistics.flowControlFrames += 1
            guard let peer = route.peerID else { return nil }
            let peerKey = Self.key(peer, addressExtension)
            guard streams[peerKey] != nil else { return nil }
            if flowControl.status == .overflow, let partial = streams.removeValue(forKey: peerKey) {
                abandon(partial, .receiverOverflow)
            } else {
                streams[peerKey]?.message.flowControlFrameCount += 1
            }
            return nil
        }
    }

    private mutating func reject(frames: Int, _ reason: RejectReason) {
        statistics.rejectedFrames[reason, default: 0] += frames
        statistics.rejections[reason, default: 0] += 1
    }

    private mutating func abandon(_ partial: ISOTPFlowPartialMessage, _ reason: RejectReason, extraFrames: Int = 0) {
        statistics.pendingFrames -= partial.message.frameCount
        reject(frames: partial.message.frameCount + extraFrames, reason)
    }
}
