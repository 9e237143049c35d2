public import CANCore
public import ISOTP

/// What an ECU discovery sweep found: the confirmed ECUs, the candidates that answered once and then failed
/// their confirmation, and the frames that came on a watched response id without a probe (periodic traffic
/// that merely looks like a reply; CaringCaribou issue #136 is the real-world case).
public struct DiscoveryResult: Hashable, Sendable {
    /// One confirmed ECU.
    public struct Found: Hashable, Sendable {
        /// Its address: request and response ids, and the sub-address for extended addressing.
        public var address: ECUAddress
        /// Its reply to the last probe: `7E 00` (UDS), `7E` (KWP2000) or `7F 3E xx`.
        public var reply: [UInt8]

        /// The protocol the reply suggests: UDS for `7E 00`, KWP2000 for a bare `7E`, nil for a refusal.
        public var protocolHint: DiagnosticProtocol? {
            switch reply.count {
            case 2 where reply[0] == 0x7E: .uds
            case 1: .kwp
            default: nil
            }
        }
    }

    /// Confirmed ECUs, by address.
    public var found: [Found]
    /// Candidates that answered a probe but not every confirmation probe.
    public var unconfirmed: [ECUAddress]
    /// Frames on watched response ids (and sub-addresses) that came without a probe outstanding, or beyond the
    /// one reply a probe allows; ignored.
    public var unsolicitedFrames: Int
    /// The response ids (with sub-address) that carried such frames.
    public var noisyResponses: [ECUAddress]
    /// Probes sent, confirmations included.
    public var probesSent: Int

    /// Combines the results of several sweeps, keeping addresses in order.
    public mutating func merge(_ other: DiscoveryResult) {
        found = (found + other.found).sorted { $0.address < $1.address }
        unconfirmed = (unconfirmed + other.unconfirmed).sorted()
        unsolicitedFrames += other.unsolicitedFrames
        noisyResponses = (noisyResponses + other.noisyResponses).sorted()
        probesSent += other.probesSent
    }

    /// An empty result.
    public static let empty = DiscoveryResult(
        found: [], unconfirmed: [], unsolicitedFrames: 0, noisyResponses: [], probesSent: 0)
}

/// A tester-present sweep over candidate ECU addresses as a state machine without I/O.
///
/// It first listens (``Configuration/listenTime``) to learn which response ids carry traffic of their own, then
/// sends `3E 00` to each candidate, at most one probe per ``Configuration/probeInterval`` and at most
/// ``Configuration/maximumOutstanding`` awaiting a reply, so no ECU or gateway is flooded. A reply counts only
/// when it is a well-formed single frame `7E 00`, `7E` or `7F 3E xx` on the candidate's response id (led by its
/// sub-address with extended addressing) while its probe is outstanding, and only when it is the one frame
/// there in that window. A candidate counts once a second probe is answered too. On a response id that
/// carried frames without a probe (a periodic sender), more probes are needed, each sent right after such a
/// frame with a window shorter than half the gap between them: a periodic frame cannot fall into it, a real
/// ECU's answer does.
///
/// The driver calls ``start(at:)``, then ``poll(at:)`` until it returns ``Action/wait(until:)`` or
/// ``Action/finish(_:)``, performs each ``Action/transmit(_:)``, feeds every received frame to
/// ``received(_:at:)`` and polls again after each frame and at each instant it was told to wait for.
public struct DiscoverySweep: Sendable {
    /// How the sweep probes.
    public struct Configuration: Hashable, Sendable {
        /// The least time between two probes.
        public var probeInterval: Duration
        /// The most probes awaiting a reply at once.
        public var maximumOutstanding: Int
        /// How long a probe waits for its reply.
        public var responseTimeout: Duration
        /// How long to listen before the first probe.
        public var listenTime: Duration
        /// Probes answered before a candidate counts (the first and its confirmations).
        public var requiredAnswers: Int
        /// Further answered probes required on a response id that carries frames of its own.
        public var extraAnswersOnNoisyResponse: Int
        /// How long a confirmation on such an id waits for one of its frames before probing anyway.
        public var noiseSynchronisationLimit: Duration
        /// The most ECUs one sweep reports.
        public var maximumFound: Int
        /// Frame layout of the probes (padded classic CAN by default).
        public var format: ISOTPFrameFormat

        /// Creates a configuration: a probe every 5 ms, 8 outstanding, 100 ms per probe, 300 ms of listening,
        /// two answers (three on a noisy id).
        public init(
            probeInterval: Duration = .milliseconds(5), maximumOutstanding: Int = 8,
            responseTimeout: Duration = .milliseconds(100), listenTime: Duration = .milliseconds(300),
            requiredAnswers: Int = 2, extraAnswersOnNoisyResponse: Int = 1,
            noiseSynchronisationLimit: Duration = .seconds(2), maximumFound: Int = 256,
            format: ISOTPFrameFormat = .classic()
        ) {
            self.probeInterval = probeInterval
            self.maximumOutstanding = max(1, maximumOutstanding)
            self.responseTimeout = responseTimeout
            self.listenTime = listenTime
            self.requiredAnswers = max(1, requiredAnswers)
            self.extraAnswersOnNoisyResponse = max(0, extraAnswersOnNoisyResponse)
            self.noiseSynchronisationLimit = noiseSynchronisationLimit
            self.maximumFound = max(1, maximumFound)
            self.format = format
        }
    }

    /// Which addresses a sweep tries.
    public enum Scope: String, Hashable, Sendable, CaseIterable {
        /// 11-bit request ids 0x700-0x7F7 answered on request + 8, normal addressing (0x7DF, the functional id,
        /// is left out).
        case standard11Bit
        /// The sub-addresses 0x00-0xFF behind 0x750, answered on 0x758 (Toyota's extended addressing).
        case toyotaSubAddresses
        /// 29-bit normal fixed addressing: 0x18DAxxF1 answered on 0x18DAF1xx (xx ≠ F1).
        case normalFixed29Bit

        /// The candidate addresses, in probing order.
        public var candidates: [ECUAddress] {
            switch self {
            case .standard11Bit:
                return (UInt32(0x700)...0x7F7).filter { $0 != 0x7DF }.compactMap { ECUAddress.standard(request: $0) }
            case .toyotaSubAddresses:
                return (0...255).compactMap { ECUAddress.standard(request: 0x750, extendedAddress: UInt8($0)) }
            case .normalFixed29Bit:
                return (UInt32(0)...0xFF).filter { $0 != 0xF1 }.compactMap { ecu in
                    guard let request = CANIdentifier.extended(0x18DA_00F1 | ecu << 8),
                        let response = CANIdentifier.extended(0x18DA_F100 | ecu)
                    else { return nil }
                    return ECUAddress(requestID: request, responseID: response)
                }
            }
        }
    }

    /// What the driver does next.
    public enum Action: Hashable, Sendable {
        /// Send this probe, then poll again.
        case transmit(CANFrame)
        /// Nothing to do before this instant (or an earlier frame).
        case wait(until: Duration)
        /// The sweep is over.
        case finish(DiscoveryResult)
    }

    /// The probe: UDS tester present with a response (`3E 00`), which KWP2000 ECUs answer too.
    public static let probe: [UInt8] = [0x3E, 0x00]

    struct Key: Hashable, Sendable {
        var id: CANIdentifier
        var addressByte: UInt8?
    }

    struct Outstanding: Sendable {
        var address: ECUAddress
        var deadline: Duration
        var reply: [UInt8]?
        var extraFrames = 0
    }

    /// A probe waiting for its turn: a confirmation, or a first probe to a noisy id.
    struct Confirmation: Sendable {
        var address: ECUAddress
        /// For a noisy id: queued at this instant, sent after the next frame of its own (or the limit).
        var queuedAt: Duration
    }

    /// The configuration.
    public let configuration: Configuration
    private let usesAddressByte: Bool
    private let watched: [Key: ECUAddress]
    private var queue: [ECUAddress]
    private var confirmations: [Confirmation] = []
    private var outstanding: [Key: Outstanding] = [:]
    private var answers: [Key: Int] = [:]
    private var lastReply: [Key: [UInt8]] = [:]
    private var noise: [Key: (count: Int, last: Duration, shortestGap: Duration?)] = [:]
    private var found: [DiscoveryResult.Found] = []
    private var unconfirmed: [ECUAddress] = []
    private var unsolicited = 0
    private var probesSent = 0
    private var listenUntil: Duration?
    private var nextProbe: Duration = .zero
    private var finished = false

    /// A sweep over `scope`'s candidates.
    public init(scope: Scope, configuration: Configuration = Configuration()) {
        self.init(candidates: scope.candidates, configuration: configuration)
    }

    /// A sweep over `candidates` (all with or all without a sub-address; response keys distinct).
    public init(candidates: [ECUAddress], configuration: Configuration = Configuration()) {
        self.configuration = configuration
        let usesAddressByte = candidates.first?.extendedAddress != nil
        let kept = candidates.filter { ($0.extendedAddress != nil) == usesAddressByte }
        self.usesAddressByte = usesAddressByte
        watched = Dictionary(
            kept.map { (Key(id: $0.responseID, addressByte: $0.extendedAddress), $0) }, uniquingKeysWith: { first, _ in first })
        queue = kept.reversed()
    }

    /// Begins: listening first.
    public mutating func start(at now: Duration) {
        guard listenUntil == nil else { return }
        listenUntil = now + configuration.listenTime
        nextProbe = now + configuration.listenTime
    }

    /// A frame arrived.
    public mutating func received(_ frame: CANFrame, at now: Duration) {
        guard !finished, listenUntil != nil, frame.isDataFrame else { return }
        let key = Key(id: frame.id, addressByte: usesAddressByte ? frame.data.first : nil)
        guard watched[key] != nil else { return }
        guard var probe = outstanding[key], probe.deadline > now else {
            noteNoise(key, at: now)
            return
        }
        if probe.reply == nil, let reply = Self.reply(in: frame, addressBytes: usesAddressByte ? 1 : 0) {
            probe.reply = reply
        } else {
            // A second frame in one window, or one that is no tester-present reply: not a clean answer.
            probe.extraFrames += 1
            noteNoise(key, at: now)
        }
        outstanding[key] = probe
    }

    /// What to do at `now`.
    public mutating func poll(at now: Duration) -> Action {
        guard !finished, let listenUntil else { return .wait(until: now) }
        if now < listenUntil { return .wait(until: listenUntil) }
        for (key, probe) in outstanding where probe.deadline <= now {
            outstanding[key] = nil
            expire(key, probe, at: now)
        }
        if queue.isEmpty && confirmations.isEmpty && outstanding.isEmpty || found.count >= configuration.maximumFound {
            finished = true
            return .finish(result)
        }
        var wake = outstanding.values.map(\.deadline).min()
        if outstanding.count < configuration.maximumOutstanding {
            if now >= nextProbe, let (address, window) = nextCandidate(at: now) {
                let key = Key(id: address.responseID, addressByte: address.extendedAddress)
                outstanding[key] = Outstanding(address: address, deadline: now + window)
                nextProbe = now + configuration.probeInterval
                probesSent += 1
                return .transmit(probeFrame(for: address))
            }
            if hasEligibleWork || !queue.isEmpty { wake = min(wake ?? nextProbe, nextProbe) }
            // Confirmations waiting for a noisy id's next frame give up at their limit.
            for confirmation in confirmations {
                let limit = confirmation.queuedAt + configuration.noiseSynchronisationLimit
                wake = min(wake ?? limit, max(limit, nextProbe))
            }
        }
        return .wait(until: wake ?? now + configuration.probeInterval)
    }

    // MARK: - Internals

    private var result: DiscoveryResult {
        DiscoveryResult(
            found: found.sorted { $0.address < $1.address }, unconfirmed: unconfirmed.sorted(),
            unsolicitedFrames: unsolicited,
            noisyResponses: noise.keys.compactMap { watched[$0] }.sorted(), probesSent: probesSent)
    }

    private func required(_ key: Key) -> Int {
        configuration.requiredAnswers + (noise[key] != nil ? configuration.extraAnswersOnNoisyResponse : 0)
    }

    private mutating func noteNoise(_ key: Key, at now: Duration) {
        unsolicited += 1
        if var seen = noise[key] {
            let gap = now - seen.last
            seen.shortestGap = min(seen.shortestGap ?? gap, gap)
            seen.count += 1
            seen.last = now
            noise[key] = seen
        } else {
            noise[key] = (1, now, nil)
        }
    }

    private mutating func expire(_ key: Key, _ probe: Outstanding, at now: Duration) {
        let previous = answers[key, default: 0]
        guard let reply = probe.reply, probe.extraFrames == 0 else {
            if previous > 0 { unconfirmed.append(probe.address) }
            answers[key] = nil
            return
        }
        let count = previous + 1
        answers[key] = count
        lastReply[key] = reply
        if count >= required(key) {
            found.append(DiscoveryResult.Found(address: probe.address, reply: reply))
        } else {
            confirmations.append(Confirmation(address: probe.address, queuedAt: now))
        }
    }

    /// The next probe and its window: a confirmation that may go now, else the next new candidate.
    private mutating func nextCandidate(at now: Duration) -> (ECUAddress, Duration)? {
        for (index, confirmation) in confirmations.enumerated() {
            let key = Key(id: confirmation.address.responseID, addressByte: confirmation.address.extendedAddress)
            guard let seen = noise[key] else {
                confirmations.remove(at: index)
                return (confirmation.address, configuration.responseTimeout)
            }
            // Noisy id: go right after one of its own frames, with a window shorter than half their gap.
            let justAfterNoise = seen.last >= confirmation.queuedAt && now - seen.last < configuration.probeInterval * 2
            let gaveUp = now >= confirmation.queuedAt + configuration.noiseSynchronisationLimit
            guard justAfterNoise || gaveUp else { continue }
            confirmations.remove(at: index)
            let window = seen.shortestGap.map { min(configuration.responseTimeout, $0 / 2) } ?? configuration.responseTimeout
            return (confirmation.address, window)
        }
        while let address = queue.popLast() {
            // A first probe to a noisy id waits for one of its frames, as a confirmation does.
            guard noise[Key(id: address.responseID, addressByte: address.extendedAddress)] == nil else {
                confirmations.append(Confirmation(address: address, queuedAt: now))
                continue
            }
            return (address, configuration.responseTimeout)
        }
        return nil
    }

    /// Whether a confirmation can go as soon as the rate allows (one on an id without noise).
    private var hasEligibleWork: Bool {
        confirmations.contains { noise[Key(id: $0.address.responseID, addressByte: $0.address.extendedAddress)] == nil }
    }

    private func probeFrame(for address: ECUAddress) -> CANFrame {
        let data = ISOTPFrame.single(CANPayload(Self.probe)!).encoded(
            addressExtension: address.extendedAddress, format: configuration.format)
        let kind: CANFrame.Kind = configuration.format.fdFlags.map { .fd($0) } ?? .classic
        // The data is at most 8 bytes of a single frame: always a valid frame.
        return try! CANFrame(id: address.requestID, kind: kind, data: data)
    }

    /// The tester-present reply in `frame`: a well-formed single frame carrying `7E 00`, `7E` or `7F 3E xx`.
    static func reply(in frame: CANFrame, addressBytes: Int) -> [UInt8]? {
        guard case .single(let payload)? = try? ISOTPFrame(decoding: frame.data, addressBytes: addressBytes) else {
            return nil
        }
        let bytes = Array(payload)
        switch bytes.count {
        case 1 where bytes[0] == 0x7E: return bytes
        case 2 where bytes == [0x7E, 0x00]: return bytes
        case 3 where bytes[0] == 0x7F && bytes[1] == 0x3E: return bytes
        default: return nil
        }
    }
}
