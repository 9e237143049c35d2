public import CANCore

/// A live ISO-TP link: an ``ISOTPSegmenter`` and an ``ISOTPReassembler`` driven over any `CANTransport`
/// with any clock, so one implementation serves SocketCAN, the virtual bus and tests with a manual clock.
///
/// The channel reads the transport from the moment it is made and processes frames, timers and sends one
/// at a time, in order. Received messages wait in an inbox (at most ``inboxLimit``) until ``receive(timeout:)``
/// takes them; reception errors (timeouts, sequence errors, interrupted messages, discarded frames) wait there
/// too and are thrown by `receive`, after which the channel goes on. Call ``close()`` when done: the
/// channel's tasks keep it alive until then.
///
/// N_As is checked when the transport returns from `send`: a transport that hangs is not interrupted. Our
/// own flow-control frames are sent without an N_Ar check.
public actor ISOTPChannel<Transport: CANTransport, ChannelClock: Clock> where ChannelClock.Duration == Duration {
    enum TimerKind: Sendable {
        case sender, receiver
    }

    enum Event: Sendable {
        case frame(CANFrame)
        case send([UInt8])
        case timer(TimerKind, generation: Int)
        case receiveTimeout(waiter: Int)
        case transportEnded((any Error)?)
    }

    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<[UInt8], any Error>
        var timeout: Task<Void, Never>?
    }

    /// The transport frames go over.
    public nonisolated let transport: Transport
    /// The clock timers run on.
    public nonisolated let clock: ChannelClock
    /// The most messages and errors held for ``receive(timeout:)``; beyond it the oldest is dropped.
    public nonisolated let inboxLimit: Int

    private var segmenter: ISOTPSegmenter
    private var reassembler: ISOTPReassembler
    private let start: ChannelClock.Instant
    private let events: AsyncStream<Event>.Continuation
    private var reader: Task<Void, Never>?
    private var timers: [TimerKind: (generation: Int, task: Task<Void, Never>)] = [:]
    private var timerGeneration = 0
    private var inbox: [Result<[UInt8], ISOTPError>] = []
    private var droppedFromInbox = 0
    private var waiters: [Waiter] = []
    private var nextWaiter = 0
    private var pendingSend: CheckedContinuation<Void, any Error>?
    private var closedError: ISOTPError?
    private var firstFrameHandler: (@Sendable (_ announcedLength: Int) -> Void)?

    /// Creates a channel and starts reading `transport`.
    ///
    /// - Parameters:
    ///   - transport: the CAN link the channel sends on and reads from.
    ///   - clock: the clock its timers (N_Bs, N_Cr, STmin) run on.
    ///   - sender: the segmenter's parameters (address, format, N_As, N_Bs, N_WFTmax, STmin override).
    ///   - receiver: the reassembler's parameters (BS and STmin we ask for, N_Cr, message limit); its address
    ///     and format should match `sender`'s.
    ///   - inboxLimit: how many received messages wait unread before the oldest are dropped.
    public init(
        transport: Transport, clock: ChannelClock, sender: ISOTPSegmenter.Configuration,
        receiver: ISOTPReassembler.Configuration, inboxLimit: Int = 64
    ) {
        self.transport = transport
        self.clock = clock
        self.inboxLimit = max(1, inboxLimit)
        self.segmenter = ISOTPSegmenter(configuration: sender)
        self.reassembler = ISOTPReassembler(configuration: receiver)
        self.start = clock.now
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        self.events = continuation
        // Subscribe now, so no frame sent after `init` returns is missed.
        let frames = transport.receivedFrames()
        self.reader = Task {
            do {
                for try await frame in frames { continuation.yield(.frame(frame)) }
                continuation.yield(.transportEnded(nil))
            } catch {
                continuation.yield(.transportEnded(error))
            }
        }
        Task { await self.run(stream) }
    }

    /// A channel with default timing (1000 ms) and flow control (BS 0, STmin 0) for `address` and `format`.
    public init(
        transport: Transport, clock: ChannelClock, address: ISOTPAddress, format: ISOTPFrameFormat = .classic()
    ) {
        self.init(
            transport: transport, clock: clock,
            sender: ISOTPSegmenter.Configuration(address: address, format: format),
            receiver: ISOTPReassembler.Configuration(address: address, format: format))
    }

    /// Sends `message` and returns once its last frame went out.
    ///
    /// - Throws: ``ISOTPError``: `transmitterBusy` when another send is in progress, `invalidMessageLength`,
    ///   the transfer's errors (`flowControlTimeout`, `receiverOverflow`, `waitFrameLimitExceeded`,
    ///   `invalidFlowStatus`, `transmitTimeout`), or `channelClosed`.
    public func send(_ message: [UInt8]) async throws {
        if let closedError { throw closedError }
        guard pendingSend == nil else {
            throw ISOTPError(
                .transmitterBusy, "a message is still being sent", canID: segmenter.configuration.address.transmitID)
        }
        try await withCheckedThrowingContinuation { continuation in
            pendingSend = continuation
            events.yield(.send(message))
        }
    }

    /// The next received message, waiting up to `timeout` on the channel's clock (nil: no limit).
    ///
    /// - Throws: the next reception error in the inbox, ``ISOTPError/Code/receiveTimeout``,
    ///   ``ISOTPError/Code/inboxOverflow`` once after messages were dropped, `channelClosed`, or
    ///   `CancellationError`.
    public func receive(timeout: Duration? = nil) async throws -> [UInt8] {
        if droppedFromInbox > 0 {
            defer { droppedFromInbox = 0 }
            throw ISOTPError(.inboxOverflow, "\(droppedFromInbox) received message(s) dropped (limit \(inboxLimit))")
        }
        if !inbox.isEmpty { return try inbox.removeFirst().get() }
        if let closedError { throw closedError }
        let id = nextWaiter
        nextWaiter += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                var timeoutTask: Task<Void, Never>?
                if let timeout {
                    let instant = clock.now.advanced(by: timeout)
                    timeoutTask = Task { [clock, events] in
                        guard (try? await clock.sleep(until: instant, tolerance: nil)) != nil else { return }
                        events.yield(.receiveTimeout(waiter: id))
                    }
                }
                waiters.append(Waiter(id: id, continuation: continuation, timeout: timeoutTask))
            }
        } onCancel: {
            Task { await self.finishWaiter(id, with: .failure(CancellationError())) }
        }
    }

    /// Calls `handler` with the announced length whenever a first frame addressed to us starts a segmented
    /// reception, before our flow control goes out; nil removes it. A diagnostics client restarts its response
    /// timer there: ISO 14229-2 measures P2 to the start of the response, and the rest is ISO-TP's business.
    public func onFirstFrame(_ handler: (@Sendable (_ announcedLength: Int) -> Void)?) {
        firstFrameHandler = handler
    }

    /// Stops reading the transport, fails waiting calls with `channelClosed` and ends the channel's tasks.
    public func close() {
        shut(ISOTPError(.channelClosed, "channel closed"))
    }

    // MARK: - Event loop

    private func run(_ stream: AsyncStream<Event>) async {
        for await event in stream {
            switch event {
            case .frame(let frame):
                let now = self.now
                if let firstFrameHandler, reassembler.configuration.address.accepts(frame),
                    case .first(let length, _)? = try? ISOTPFrame(
                        decoding: frame.data, addressBytes: reassembler.configuration.address.addressByteCount)
                {
                    firstFrameHandler(length)
                }
                await performSender(segmenter.receive(frame, at: now))
                await performReceiver(reassembler.receive(frame, at: now))
            case .send(let message):
                do throws(ISOTPError) {
                    await performSender(try segmenter.send(message, at: now))
                } catch {
                    finishSend(.failure(error))
                }
            case .timer(let kind, let generation):
                guard timers[kind]?.generation == generation else { continue }
                timers[kind] = nil
                switch kind {
                case .sender: await performSender(segmenter.timerFired(at: now))
                case .receiver: await performReceiver(reassembler.timerFired(at: now))
                }
            case .receiveTimeout(let waiter):
                finishWaiter(waiter, with: .failure(ISOTPError(.receiveTimeout, "no message in time")))
            case .transportEnded(let error):
                shut(ISOTPError(.channelClosed, "transport \(transport.name) ended" + (error.map { ": \($0)" } ?? "")))
            }
        }
    }

    private var now: Duration { start.duration(to: clock.now) }

    private func performSender(_ action: ISOTPSegmenter.Action) async {
        var action = action
        while true {
            switch action {
            case .none:
                return
            case .transmit(let frame, _):
                do {
                    try await transport.send(frame)
                } catch {
                    segmenter.reset()
                    cancelTimer(.sender)
                    finishSend(
                        .failure(ISOTPError(.channelClosed, "transport \(transport.name) send failed: \(error)")))
                    return
                }
                action = segmenter.transmitConfirmed(at: now)
            case .awaitFlowControl(let until), .awaitSeparationTime(let until):
                armTimer(.sender, at: until)
                return
            case .completed:
                cancelTimer(.sender)
                finishSend(.success(()))
                return
            case .failed(let error):
                cancelTimer(.sender)
                finishSend(.failure(error))
                return
            }
        }
    }

    private func performReceiver(_ action: ISOTPReassembler.Action) async {
        switch action {
        case .none:
            break
        case .sendFlowControl(let frame, let until):
            armTimer(.receiver, at: until)
            await sendFlowControl(frame)
        case .awaitConsecutiveFrame(let until):
            armTimer(.receiver, at: until)
        case .deliver(let message):
            cancelTimer(.receiver)
            enqueue(.success(message))
        case .discard(let error):
            enqueue(.failure(error))
        case .abort(let error):
            cancelTimer(.receiver)
            enqueue(.failure(error))
        case .rejectMessage(let frame, let error):
            cancelTimer(.receiver)
            await sendFlowControl(frame)
            enqueue(.failure(error))
        case .interrupted(let error, let then):
            enqueue(.failure(error))
            await performReceiver(then)
        }
    }

    private func sendFlowControl(_ frame: CANFrame) async {
        do {
            try await transport.send(frame)
        } catch {
            reassembler.reset()
            cancelTimer(.receiver)
            enqueue(.failure(ISOTPError(.channelClosed, "transport \(transport.name) send failed: \(error)")))
        }
    }

    private func armTimer(_ kind: TimerKind, at deadline: Duration) {
        timers[kind]?.task.cancel()
        timerGeneration += 1
        let generation = timerGeneration
        let instant = start.advanced(by: deadline)
        let task = Task { [clock, events] in
            guard (try? await clock.sleep(until: instant, tolerance: nil)) != nil else { return }
            events.yield(.timer(kind, generation: generation))
        }
        timers[kind] = (generation, task)
    }

    private func cancelTimer(_ kind: TimerKind) {
        timers[kind]?.task.cancel()
        timers[kind] = nil
    }

    private func enqueue(_ result: Result<[UInt8], ISOTPError>) {
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            waiter.timeout?.cancel()
            waiter.continuation.resume(with: result.mapError { $0 as any Error })
            return
        }
        if inbox.count >= inboxLimit {
            inbox.removeFirst()
            droppedFromInbox += 1
        }
        inbox.append(result)
    }

    private func finishWaiter(_ id: Int, with result: Result<[UInt8], any Error>) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.timeout?.cancel()
        waiter.continuation.resume(with: result)
    }

    private func finishSend(_ result: Result<Void, ISOTPError>) {
        pendingSend?.resume(with: result.mapError { $0 as any Error })
        pendingSend = nil
    }

    private func shut(_ error: ISOTPError) {
        guard closedError == nil else { return }
        closedError = error
        reader?.cancel()
        reader = nil
        for kind in Array(timers.keys) { cancelTimer(kind) }
        segmenter.reset()
        reassembler.reset()
        finishSend(.failure(error))
        for waiter in waiters {
            waiter.timeout?.cancel()
            waiter.continuation.resume(throwing: error)
        }
        waiters.removeAll()
        events.finish()
    }
}
