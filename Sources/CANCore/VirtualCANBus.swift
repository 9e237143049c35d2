
/// An in-process CAN bus for tests, simulations and the virtual vehicle.
///
/// Every endpoint attached to the bus sees every frame another endpoint sends, in send order, as on a real
/// bus; an endpoint attached with `echoesOwnFrames` also sees its own (like a socket with
/// `CAN_RAW_RECV_OWN_MSGS`). Frames are delivered at once and kept until read (no arbitration, no loss, no
/// back-pressure). A frame with no interface gets the bus's name.
public final class VirtualCANBus: Sendable {
    /// The name given to frames that have no interface, and to endpoints by default.
    public let name: String

    private struct Subscriber {
        var endpoint: Int
        var continuation: AsyncThrowingStream<CANFrame, any Error>.Continuation
    }

    private struct State {
        var nextEndpoint = 0
        var nextSubscription = 0
        var echoingEndpoints: Set<Int> = []
        var subscribers: [Int: Subscriber] = [:]
        var framesSent = 0
    }

    private let state = Locked(State())

    /// Creates an empty bus.
    public init(name: String = "virtual") {
        self.name = name
    }

    /// Attaches a new endpoint: a ``CANTransport`` that sends onto this bus and receives from it.
    public func attach(name endpointName: String? = nil, echoesOwnFrames: Bool = false) -> Endpoint {
        let number = state.withLock { state in
            defer { state.nextEndpoint += 1 }
            if echoesOwnFrames { state.echoingEndpoints.insert(state.nextEndpoint) }
            return state.nextEndpoint
        }
        return Endpoint(bus: self, number: number, name: endpointName ?? "\(name)#\(number)")
    }

    /// How many frames have been sent on the bus so far.
    public var framesSent: Int { state.withLock { $0.framesSent } }

    fileprivate func deliver(_ frame: CANFrame, from endpoint: Int) {
        var frame = frame
        if frame.interface == nil { frame.interface = name }
        let receivers = state.withLock { state in
            state.framesSent += 1
            let echo = state.echoingEndpoints.contains(endpoint)
            return state.subscribers.sorted { $0.key < $1.key }.compactMap { _, subscriber in
                subscriber.endpoint != endpoint || echo ? subscriber.continuation : nil
            }
        }
        // Yield outside the lock: a consumer's termination handler takes it.
        for continuation in receivers { continuation.yield(frame) }
    }

    fileprivate func subscribe(_ endpoint: Int) -> AsyncThrowingStream<CANFrame, any Error> {
        let (stream, continuation) = AsyncThrowingStream<CANFrame, any Error>.makeStream()
        let key = state.withLock { state in
            defer { state.nextSubscription += 1 }
            state.subscribers[state.nextSubscription] = Subscriber(endpoint: endpoint, continuation: continuation)
            return state.nextSubscription
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: key) }
        }
        return stream
    }

    fileprivate func detach(_ endpoint: Int) {
        let finished = state.withLock { state in
            let keys = state.subscribers.filter { $0.value.endpoint == endpoint }.map(\.key)
            return keys.compactMap { state.subscribers.removeValue(forKey: $0)?.continuation }
        }
        for continuation in finished { continuation.finish() }
    }

    /// One node on a ``VirtualCANBus``.
    public struct Endpoint: CANTransport {
        /// The bus this endpoint is attached to.
        public let bus: VirtualCANBus
        let number: Int
        /// The endpoint's name, for messages.
        public let name: String

        /// Puts `frame` on the bus; every other endpoint's subscriptions receive it at once.
        public func send(_ frame: CANFrame) async throws {
            bus.deliver(frame, from: number)
        }

        /// A new subscription to the frames on the bus from now on.
        public func receivedFrames() -> AsyncThrowingStream<CANFrame, any Error> {
            bus.subscribe(number)
        }

        /// Ends every subscription of this endpoint (their sequences finish).
        public func detach() {
            bus.detach(number)
        }
    }
}
