/// One functional request (0x7DF, 0x18DB33F1) and the answers of every ECU that replies, as a state machine
/// without I/O. The window is P2 after the request; an ECU's response-pending reply (0x78) keeps it open for
/// P2* from then, and a first frame for the segmented transfer, each a bounded number of times. When the
/// window closes the answers collected so far are the result.
package struct FunctionalExchange: Sendable {
    /// What the driver does next.
    public enum Action: Hashable, Sendable {
        /// Nothing; keep the armed timer.
        case none
        /// Arm the timer for this instant.
        case wait(until: Duration)
        /// The window closed: the final responses by ECU, and the ECUs still pending (0x78 with no answer).
        case finish(answers: [ECUAddress: [UInt8]], stillPending: Set<ECUAddress>)
    }

    /// The request's bytes.
    public let request: [UInt8]
    /// The timing in force.
    public let timing: DiagnosticTiming
    private var deadline: Duration?
    private var answers: [ECUAddress: [UInt8]] = [:]
    private var pending: [ECUAddress: Int] = [:]
    private(set) var finished = false

    /// Creates an exchange for a non-empty request.
    public init(request: [UInt8], timing: DiagnosticTiming) {
        precondition(!request.isEmpty, "a request has at least a service id")
        self.request = request
        self.timing = timing
    }

    /// The request went out: the window opens for P2.
    public mutating func transmitted(at now: Duration) -> Action {
        guard deadline == nil, !finished else { return .none }
        return extend(to: now + timing.responseTimeout)
    }

    /// A segmented response from `ecu` started.
    public mutating func firstFrame(from ecu: ECUAddress, at now: Duration) -> Action {
        guard deadline != nil, !finished else { return .none }
        return extend(to: now + timing.segmentedTransferTimeout)
    }

    /// A whole message from `ecu` arrived.
    public mutating func received(_ payload: [UInt8], from ecu: ECUAddress, at now: Duration) -> Action {
        guard deadline != nil, !finished, let first = payload.first else { return .none }
        let service = request[0]
        if payload.count >= 3, first == 0x7F, payload[1] == service, payload[2] == 0x78 {
            let count = pending[ecu, default: 0] + 1
            pending[ecu] = count
            guard count <= timing.maximumResponsePending else { return .none }
            return extend(to: now + timing.extendedResponseTimeout)
        }
        guard first == service | 0x40 || (first == 0x7F && payload.count >= 2 && payload[1] == service) else {
            return .none
        }
        if answers[ecu] == nil { answers[ecu] = payload }
        pending[ecu] = nil
        return .none
    }

    /// The armed timer's instant has come.
    public mutating func timerFired(at now: Duration) -> Action {
        guard let deadline, !finished else { return .none }
        guard now >= deadline else { return .wait(until: deadline) }
        finished = true
        return .finish(answers: answers, stillPending: Set(pending.keys))
    }

    private mutating func extend(to instant: Duration) -> Action {
        if let deadline, deadline >= instant { return .none }
        deadline = instant
        return .wait(until: instant)
    }
}
