public import CANCore
public import ISOTP

/// The outcome of one request, with what it took.
public struct ExchangeResult: Hashable, Sendable {
    /// The request's bytes.
    public var request: [UInt8]
    /// The final response, or why there was none.
    public var outcome: DiagnosticExchange.Outcome
    /// Response-pending (0x78) replies received.
    public var responsePendingCount: Int
    /// Times the request was repeated after busy-repeat-request (0x21).
    public var busyRetries: Int
    /// Time from the request's start to its end.
    public var elapsed: Duration

    /// The final response's bytes, or nil after a timeout.
    public var response: [UInt8]? {
        if case .response(let payload) = outcome { return payload }
        return nil
    }

    /// True for a positive response.
    public var isPositive: Bool { response.map { $0.first != 0x7F } ?? false }

    /// The negative response code, for a negative response.
    public var negativeResponseCode: UInt8? {
        guard let response, response.count >= 3, response[0] == 0x7F else { return nil }
        return response[2]
    }
}

extension ECUAddress {
    /// The tester's ISO-TP address for this ECU: extended addressing with the sub-address in both directions
    /// when there is one (Toyota 0x750/0x758), else normal addressing.
    public var isoTPAddress: ISOTPAddress {
        guard let extendedAddress else { return .normal(transmitID: requestID, receiveID: responseID) }
        return .extended(
            transmitID: requestID, receiveID: responseID, targetAddress: extendedAddress, sourceAddress: extendedAddress)
    }
}

/// A diagnostics client for one ECU: binds ``DiagnosticExchange`` to a ``MessageTransport`` (the user-space
/// `ISOTPChannel` on any CAN transport, or the kernel's ISO-TP socket) and any clock. One request at a time (a
/// second waits for the first); P2/P2* follow the ECU's session response;
/// tester present keeps a session alive while idle (``keepSessionAlive(with:)``). Every request passes
/// ``ServicePolicy``.
public actor DiagnosticClient<ClientClock: Clock> where ClientClock.Duration == Duration {
    enum Event: Sendable {
        case message([UInt8])
        case firstFrame
        case timer(Int)
        case receptionError(String)
        case closed(String)
    }

    /// The ECU's address.
    public nonisolated let address: ECUAddress
    /// The clock timers run on.
    public nonisolated let clock: ClientClock
    /// The timing in force (P2 and P2* are updated from the ECU's 0x10 response).
    public private(set) var timing: DiagnosticTiming
    /// One line per timeout, reception error and retry, for the scan log.
    public private(set) var log: [String] = []

    private let channel: any MessageTransport
    private let start: ClientClock.Instant
    private var current: AsyncStream<Event>.Continuation?
    private var timerGeneration = 0
    private var timerTask: Task<Void, Never>?
    private var pump: Task<Void, Never>?
    private var keepAlive: Task<Void, Never>?
    private var schedule: TesterPresentSchedule
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []
    private var closedReason: String?
    private var answeredAny = false
    private var firstRequestRetried = false
    private let logLimit = 200

    /// Creates a client for `address` on `transport` (typically a `FrameDemultiplexer` route) through a
    /// user-space `ISOTPChannel`.
    public init<Transport: CANTransport>(
        address: ECUAddress, transport: Transport, clock: ClientClock, timing: DiagnosticTiming = DiagnosticTiming(),
        format: ISOTPFrameFormat = .classic()
    ) {
        let isoTP = address.isoTPAddress
        let channel = ISOTPChannel(
            transport: transport, clock: clock,
            sender: ISOTPSegmenter.Configuration(address: isoTP, format: format),
            receiver: ISOTPReassembler.Configuration(address: isoTP, format: format, maximumMessageLength: 1 << 16))
        self.init(address: address, link: channel, clock: clock, timing: timing)
    }

    /// Creates a client for `address` on a message-level `link` (either ISO-TP backend).
    public init(
        address: ECUAddress, link: any MessageTransport, clock: ClientClock, timing: DiagnosticTiming = DiagnosticTiming()
    ) {
        self.address = address
        self.clock = clock
        self.timing = timing
        channel = link
        start = clock.now
        schedule = TesterPresentSchedule(interval: timing.testerPresentInterval, startingAt: .zero)
    }

    private var now: Duration { start.duration(to: clock.now) }

    /// Sends `request` and waits for its final response (or a timeout, which is an outcome, not an error).
    ///
    /// - Throws: ``DiagnosticsError`` `requestNotAllowed` when ``ServicePolicy`` refuses it (nothing is
    ///   sent), `transportFailed` when the channel or transport fails.
    public func request(_ request: [UInt8], consent: ServicePolicy.ClearConsent? = nil) async throws(DiagnosticsError)
        -> ExchangeResult
    {
        guard ServicePolicy.permits(request, consent: consent) else {
            throw DiagnosticsError(
                .requestNotAllowed, "CarDiag does not send \(Hex.spaced(request))", location: address.description)
        }
        await acquire()
        defer { release() }
        await startPumpIfNeeded()
        if let closedReason { throw DiagnosticsError(.transportFailed, closedReason, location: address.description) }
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        current = continuation
        defer {
            current = nil
            timerTask?.cancel()
            timerTask = nil
            schedule.noteActivity(at: now)
        }
        var events = stream.makeAsyncIterator()
        let began = now
        var exchange = DiagnosticExchange(request: request, timing: timing)
        var action = exchange.start(at: now)
        while true {
            switch action {
            case .transmit(let bytes):
                if exchange.busyRetries > 0 { note("request \(Hex.spaced(bytes.prefix(3))): busy, repeat \(exchange.busyRetries)") }
                do {
                    try await channel.send(bytes)
                } catch {
                    throw DiagnosticsError(.transportFailed, "send failed: \(error)", location: address.description)
                }
                action = exchange.transmitted(at: now)
            case .wait(let until):
                arm(until)
                action = .none
            case .none:
                guard let event = await events.next() else {
                    throw DiagnosticsError(.transportFailed, "client closed", location: address.description)
                }
                switch event {
                case .message(let payload): action = exchange.received(payload, at: now)
                case .firstFrame: action = exchange.firstFrame(at: now)
                case .timer(let generation):
                    action = generation == timerGeneration ? exchange.timerFired(at: now) : .none
                case .receptionError(let error):
                    note("request \(Hex.spaced(request.prefix(3))): ISO-TP \(error)")
                case .closed(let reason):
                    throw DiagnosticsError(.transportFailed, reason, location: address.description)
                }
            case .finish(let outcome):
                if case .timeout(let timeout) = outcome { note("\(address): \(timeout)") }
                if case .timeout(let timeout) = outcome, !answeredAny, !firstRequestRetried, timeout.timer == .p2,
                    timeout.responsePendingCount == 0, timeout.firstFramesReceived == 0
                {
                    // The first request to an ECU gets one more try after a P2 timeout: an ECU waking up, or one
                    // answer lost or late, must not make it "no response". A late answer to the first try is
                    // taken as the answer to the second (same service).
                    firstRequestRetried = true
                    note("\(address): no answer to the first request within P2; asking once more")
                    exchange = DiagnosticExchange(request: request, timing: timing)
                    action = exchange.start(at: now)
                    continue
                }
                if case .response = outcome { answeredAny = true }
                if case .response(let payload) = outcome, request.first == 0x10, payload.first == 0x50 {
                    timing = timing.updated(fromSessionResponse: payload)
                }
                return ExchangeResult(
                    request: request, outcome: outcome, responsePendingCount: exchange.responsePendingCount,
                    busyRetries: exchange.busyRetries, elapsed: now - began)
            }
        }
    }

    /// Sends `message` (UDS `3E 80`, KWP `3E 01`) whenever the line to the ECU has been quiet for the
    /// tester-present interval, until ``stopKeepingAlive()`` or ``close()``.
    public func keepSessionAlive(with message: [UInt8]) async {
        precondition(ServicePolicy.kind(of: message) == .keepAlive, "tester present only")
        keepAlive?.cancel()
        await startPumpIfNeeded()
        schedule.noteActivity(at: now)
        keepAlive = Task { [clock, start] in
            while !Task.isCancelled {
                let due = self.nextTesterPresent()
                guard (try? await clock.sleep(until: start.advanced(by: due), tolerance: nil)) != nil else { return }
                await self.sendTesterPresentIfDue(message)
            }
        }
    }

    /// Stops tester present.
    public func stopKeepingAlive() {
        keepAlive?.cancel()
        keepAlive = nil
    }

    /// Ends the client: tester present stops, the channel closes.
    public func close() async {
        stopKeepingAlive()
        pump?.cancel()
        pump = nil
        await channel.close()
    }

    private func nextTesterPresent() -> Duration { schedule.nextDue }

    private func sendTesterPresentIfDue(_ message: [UInt8]) async {
        guard !busy, closedReason == nil, schedule.isDue(at: now) else { return }
        busy = true
        defer { release() }
        do {
            try await channel.send(message)
        } catch {
            note("tester present failed: \(error)")
        }
    }

    private func startPumpIfNeeded() async {
        guard pump == nil else { return }
        // Claim the slot before the await below, so a reentrant call does not start a second pump.
        pump = Task {}
        await channel.onFirstFrame { [weak self] _ in Task { await self?.forward(.firstFrame) } }
        pump = Task { [channel, weak self] in
            while !Task.isCancelled {
                do {
                    let message = try await channel.receive(timeout: nil)
                    await self?.forward(.message(message))
                } catch let error as ISOTPError where error.code == .channelClosed {
                    await self?.forward(.closed("\(error)"))
                    return
                } catch is CancellationError {
                    return
                } catch {
                    await self?.forward(.receptionError("\(error)"))
                }
            }
        }
    }

    private func forward(_ event: Event) {
        if case .closed(let reason) = event { closedReason = reason }
        current?.yield(event)
    }

    private func arm(_ deadline: Duration) {
        timerTask?.cancel()
        timerGeneration += 1
        let generation = timerGeneration
        let instant = start.advanced(by: deadline)
        timerTask = Task { [clock, weak self] in
            guard (try? await clock.sleep(until: instant, tolerance: nil)) != nil else { return }
            await self?.forward(.timer(generation))
        }
    }

    private func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { queue.append($0) }
    }

    private func release() {
        if queue.isEmpty {
            busy = false
        } else {
            queue.removeFirst().resume()
        }
    }

    private func note(_ line: String) {
        if log.count < logLimit { log.append(line) }
    }
}
