/// One physical request and its final response, as a state machine without I/O: the request goes out, then
/// P2 runs; a response-pending reply (0x78) switches to P2* within a bounded budget; busy-repeat-request
/// (0x21) sends the request again after a delay, a bounded number of times; a first frame restarts the timer
/// for the segmented transfer. Time is a `Duration` since any origin the driver chooses.
///
/// The driver calls ``start(at:)``, performs each ``Action`` and feeds back ``transmitted(at:)``,
/// ``firstFrame(at:)``, ``received(_:at:)`` and ``timerFired(at:)`` until an action is ``Action/finish(_:)``.
public struct DiagnosticExchange: Sendable {
    /// How the exchange ended.
    public enum Outcome: Hashable, Sendable {
        /// The final response: positive, or negative (`7F <service> <code>`) other than 0x78 (and 0x21 once
        /// the retries are spent).
        case response([UInt8])
        /// No final response; the value says which timer ran out and what had arrived.
        case timeout(ResponseTimeout)
    }

    /// What the driver does next.
    public enum Action: Hashable, Sendable {
        /// Nothing; keep the armed timer.
        case none
        /// Send the request (again), then call ``DiagnosticExchange/transmitted(at:)``.
        case transmit([UInt8])
        /// Arm the timer for this instant (replacing any armed one).
        case wait(until: Duration)
        /// The exchange is over.
        case finish(Outcome)
    }

    enum State: Hashable, Sendable {
        case idle
        case sending
        case awaiting(deadline: Duration, timer: ResponseTimeout.Timer, limit: Duration)
        case busyDelay(until: Duration)
        case finished
    }

    /// The request's bytes.
    public let request: [UInt8]
    /// The timing in force.
    public let timing: DiagnosticTiming
    private(set) var state: State = .idle
    private var firstSent: Duration?
    private var lastSent: Duration = .zero
    /// Response-pending replies received so far.
    public private(set) var responsePendingCount = 0
    /// Times the request was repeated after busy-repeat-request.
    public private(set) var busyRetries = 0
    private var firstFrames = 0
    private var unrelated = 0

    /// Creates an exchange for a non-empty request.
    public init(request: [UInt8], timing: DiagnosticTiming) {
        precondition(!request.isEmpty, "a request has at least a service id")
        self.request = request
        self.timing = timing
    }

    /// True once an action was ``Action/finish(_:)``.
    public var isFinished: Bool { state == .finished }

    /// Begins: the request goes out.
    public mutating func start(at now: Duration) -> Action {
        guard state == .idle else { return .none }
        state = .sending
        return .transmit(request)
    }

    /// The transport took the request's last frame: P2 starts.
    public mutating func transmitted(at now: Duration) -> Action {
        guard state == .sending else { return .none }
        if firstSent == nil { firstSent = now }
        lastSent = now
        return arm(until: now + timing.responseTimeout, timer: .p2, limit: timing.responseTimeout)
    }

    /// A first frame of a segmented response arrived: the timer restarts for the transfer.
    public mutating func firstFrame(at now: Duration) -> Action {
        guard case .awaiting = state else { return .none }
        firstFrames += 1
        return arm(
            until: now + timing.segmentedTransferTimeout, timer: .segmentedTransfer, limit: timing.segmentedTransferTimeout)
    }

    /// A whole message arrived from the ECU.
    public mutating func received(_ payload: [UInt8], at now: Duration) -> Action {
        guard case .awaiting = state else { return .none }
        let service = request[0]
        if payload.count >= 3, payload[0] == 0x7F, payload[1] == service {
            switch payload[2] {
            case 0x78:
                responsePendingCount += 1
                let total = now - (firstSent ?? now)
                if responsePendingCount > timing.maximumResponsePending {
                    return finishTimeout(.responsePendingLimit, limit: timing.maximumResponsePendingTime, at: now)
                }
                if total + timing.extendedResponseTimeout > timing.maximumResponsePendingTime {
                    // The next P2* would overrun the budget: wait only for what is left of it.
                    let left = timing.maximumResponsePendingTime - total
                    guard left > .zero else {
                        return finishTimeout(.responsePendingLimit, limit: timing.maximumResponsePendingTime, at: now)
                    }
                    return arm(until: now + left, timer: .responsePendingLimit, limit: timing.maximumResponsePendingTime)
                }
                return arm(
                    until: now + timing.extendedResponseTimeout, timer: .p2Extended, limit: timing.extendedResponseTimeout)
            case 0x21 where busyRetries < timing.maximumBusyRetries:
                busyRetries += 1
                state = .busyDelay(until: now + timing.busyRetryDelay)
                return .wait(until: now + timing.busyRetryDelay)
            default:
                state = .finished
                return .finish(.response(payload))
            }
        }
        if let first = payload.first, first == service | 0x40 {
            state = .finished
            return .finish(.response(payload))
        }
        // A late answer to an earlier request, or another service's reply: not ours.
        unrelated += 1
        return .none
    }

    /// The armed timer's instant has come.
    public mutating func timerFired(at now: Duration) -> Action {
        switch state {
        case .busyDelay(let until):
            guard now >= until else { return .wait(until: until) }
            state = .sending
            return .transmit(request)
        case .awaiting(let deadline, let timer, let limit):
            guard now >= deadline else { return .wait(until: deadline) }
            return finishTimeout(timer, limit: limit, at: now)
        case .idle, .sending, .finished:
            return .none
        }
    }

    private mutating func arm(until deadline: Duration, timer: ResponseTimeout.Timer, limit: Duration) -> Action {
        state = .awaiting(deadline: deadline, timer: timer, limit: limit)
        return .wait(until: deadline)
    }

    private mutating func finishTimeout(_ timer: ResponseTimeout.Timer, limit: Duration, at now: Duration) -> Action {
        state = .finished
        return .finish(
            .timeout(
                ResponseTimeout(
                    timer: timer, limit: limit, elapsed: now - lastSent, responsePendingCount: responsePendingCount,
                    firstFramesReceived: firstFrames, unrelatedReplies: unrelated, request: request)))
    }
}
