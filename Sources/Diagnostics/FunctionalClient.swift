public import CANCore
public import ISOTP

/// The answers of every ECU to one functional request.
public struct FunctionalResult: Hashable, Sendable {
    /// The request's bytes.
    public var request: [UInt8]
    /// Each answering ECU's final response (positive or negative), by its physical address.
    public var answers: [ECUAddress: [UInt8]]
    /// ECUs that only said response-pending (0x78) before the window closed.
    public var stillPending: Set<ECUAddress>
    /// Time from the request to the window's close.
    public var elapsed: Duration
}

/// Sends functional requests (0x7DF, 0x18DB33F1) and collects every ECU's answer, binding
/// ``FunctionalExchange`` to a transport and a clock. One kernel ISO-TP socket receives on one id only, so
/// the answers are reassembled here in user space, one `ISOTPReassembler` per answering id, each sending its
/// flow control to that ECU's physical request id (ISO 15765-4 §6.3.2: a segmented answer, such as the VIN of
/// mode 09 02, is flow-controlled physically).
public struct FunctionalClient<Transport: CANTransport, ClientClock: Clock>: Sendable
where ClientClock.Duration == Duration {
    /// The functional request id and the ids that answer it.
    public let addressing: FunctionalAddressing
    /// The transport (typically a `FrameDemultiplexer` tap: every frame).
    public let transport: Transport
    /// The clock timers run on.
    public let clock: ClientClock
    /// P2 (the window) and P2* (after a 0x78), and the response-pending limit.
    public let timing: DiagnosticTiming
    /// The frame layout: classic CAN padded with 0xCC by default (ISO 15765-4 asks for 8-byte frames).
    public let format: ISOTPFrameFormat
    /// The most distinct ECUs one request collects answers from; frames from further ids are ignored.
    public let maximumResponders: Int

    /// Creates a client.
    public init(
        addressing: FunctionalAddressing, transport: Transport, clock: ClientClock,
        timing: DiagnosticTiming = DiagnosticTiming(), format: ISOTPFrameFormat = .classic(), maximumResponders: Int = 32
    ) {
        self.addressing = addressing
        self.transport = transport
        self.clock = clock
        self.timing = timing
        self.format = format
        self.maximumResponders = max(1, maximumResponders)
    }

    private enum Event: Sendable {
        case frame(CANFrame)
        case timer(Int)
        case ended
    }

    /// Sends `request` as one single frame on the functional id and collects the answers until the window
    /// closes: P2 after the request, extended by P2* after an ECU's 0x78 and by the segmented-transfer time
    /// after a first frame.
    ///
    /// - Throws: ``DiagnosticsError`` `requestNotAllowed` when ``ServicePolicy`` refuses it or it does not fit a
    ///   single frame (functional requests are single frames, ISO 15765-2 §9.6.1), `transportFailed` when the
    ///   send fails.
    public func request(_ request: [UInt8]) async throws(DiagnosticsError) -> FunctionalResult {
        let location = "functional \(addressing)"
        guard ServicePolicy.kind(of: request) == .read else {
            throw DiagnosticsError(
                .requestNotAllowed, "CarDiag does not send \(Hex.spaced(request)) functionally", location: location)
        }
        guard !request.isEmpty, request.count <= format.singleFrameCapacity(addressBytes: 0),
            let payload = CANPayload(request)
        else {
            throw DiagnosticsError(.requestNotAllowed, "a functional request is one single frame", location: location)
        }
        let data = ISOTPFrame.single(payload).encoded(addressExtension: nil, format: format)
        let frame: CANFrame
        do {
            frame = try CANFrame(id: addressing.requestID, kind: format.isFD ? .fd(format.fdFlags ?? []) : .classic, data: data)
        } catch {
            throw DiagnosticsError(.requestNotAllowed, "\(error)", location: location)
        }

        let start = clock.now
        var now: Duration { start.duration(to: clock.now) }
        let (events, sink) = AsyncStream<Event>.makeStream()
        // Subscribe before sending, so an answer that comes at once is not missed.
        let frames = transport.receivedFrames()
        let reader = Task {
            do {
                for try await frame in frames { sink.yield(.frame(frame)) }
            } catch {}
            sink.yield(.ended)
        }
        var timer: Task<Void, Never>?
        var generation = 0
        defer {
            reader.cancel()
            timer?.cancel()
            sink.finish()
        }
        func arm(_ deadline: Duration) {
            timer?.cancel()
            generation += 1
            let current = generation
            let instant = start.advanced(by: deadline)
            timer = Task { [clock] in
                guard (try? await clock.sleep(until: instant, tolerance: nil)) != nil else { return }
                sink.yield(.timer(current))
            }
        }

        do {
            try await transport.send(frame)
        } catch {
            throw DiagnosticsError(.transportFailed, "send failed: \(error)", location: location)
        }
        var exchange = FunctionalExchange(request: request, timing: timing)
        var reassemblers: [ECUAddress: ISOTPReassembler] = [:]
        var action = exchange.transmitted(at: now)
        var iterator = events.makeAsyncIterator()
        while true {
            switch action {
            case .finish(let answers, let stillPending):
                return FunctionalResult(request: request, answers: answers, stillPending: stillPending, elapsed: now)
            case .wait(let until):
                arm(until)
            case .none:
                break
            }
            action = .none
            guard let event = await iterator.next() else { continue }
            switch event {
            case .ended:
                throw DiagnosticsError(.transportFailed, "transport \(transport.name) ended", location: location)
            case .timer(let fired):
                if fired == generation { action = exchange.timerFired(at: now) }
            case .frame(let received):
                guard let ecu = addressing.responder(answeringOn: received.id) else { continue }
                if reassemblers[ecu] == nil {
                    guard reassemblers.count < maximumResponders else { continue }
                    reassemblers[ecu] = ISOTPReassembler(
                        configuration: .init(
                            address: .normal(transmitID: ecu.requestID, receiveID: ecu.responseID), format: format,
                            maximumMessageLength: 4095))
                }
                var step = reassemblers[ecu]!.receive(received, at: now)
                // A new single or first frame cut an earlier answer short: what counts is the new one.
                if case .interrupted(_, let then) = step { step = then }
                switch step {
                case .sendFlowControl(let flowControl, _):
                    action = exchange.firstFrame(from: ecu, at: now)
                    try? await transport.send(flowControl)
                case .deliver(let message):
                    action = exchange.received(message, from: ecu, at: now)
                case .none, .awaitConsecutiveFrame, .discard, .abort, .rejectMessage, .interrupted:
                    break
                }
            }
        }
    }
}
