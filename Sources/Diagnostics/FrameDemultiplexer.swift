package import CANCore

/// Shares one transport among many ECU conversations: it reads the transport once and hands each received
/// frame to the routes that want it, by CAN id and, for extended addressing (Toyota's 0x758), by the
/// address byte that leads the data. Each route is itself a `CANTransport`, so an ISO-TP channel runs on it
/// unchanged. Every frame sent or received also goes to the optional observer (the recorder).
///
/// When the underlying transport's frames end (the link went down), every route's frames end with it.
package final class FrameDemultiplexer<Base: CANTransport>: Sendable {
    /// Which received frames a route takes.
    public struct RouteKey: Hashable, Sendable {
        /// The CAN id.
        public var id: CANIdentifier
        /// The first data byte for extended addressing, or nil for every frame on `id`.
        public var addressByte: UInt8?

        /// Creates a key.
        public init(id: CANIdentifier, addressByte: UInt8? = nil) {
            self.id = id
            self.addressByte = addressByte
        }
    }

    /// Whether the observer sees a frame we sent or one we received.
    public enum Direction: Sendable {
        /// We sent it.
        case sent
        /// It arrived.
        case received
    }

    private struct Subscriber {
        var key: RouteKey?
        var continuation: AsyncThrowingStream<CANFrame, any Error>.Continuation
    }

    private struct State {
        var subscribers: [Int: Subscriber] = [:]
        var next = 0
        var reader: Task<Void, Never>?
        var ended: (any Error)??
    }

    /// The shared transport.
    public let base: Base
    private let observer: (@Sendable (CANFrame, Direction) -> Void)?
    private let state = Locked(State())

    /// Creates a demultiplexer over `base` and starts reading it. `observer` sees every frame both ways.
    public init(base: Base, observer: (@Sendable (CANFrame, Direction) -> Void)? = nil) {
        self.base = base
        self.observer = observer
        let frames = base.receivedFrames()
        let task = Task { [weak self] in
            do {
                for try await frame in frames {
                    guard let self else { return }
                    self.dispatch(frame)
                }
                self?.end(nil)
            } catch {
                self?.end(error)
            }
        }
        state.withLock { $0.reader = task }
    }

    /// Stops reading; every route's frames end.
    public func stop() {
        let task = state.withLock { $0.reader }
        task?.cancel()
        end(nil)
    }

    /// A transport that receives only frames on `id` (led by `addressByte`, when given) and sends on `base`.
    public func route(_ key: RouteKey) -> Route { Route(demultiplexer: self, key: key) }

    /// A transport that receives every frame (for discovery and listeners) and sends on `base`.
    public func tap() -> Route { Route(demultiplexer: self, key: nil) }

    /// Whether the underlying transport's frames have ended.
    public var hasEnded: Bool { state.withLock { $0.ended != nil } }

    fileprivate func send(_ frame: CANFrame) async throws {
        try await base.send(frame)
        observer?(frame, .sent)
    }

    fileprivate func subscribe(_ key: RouteKey?) -> AsyncThrowingStream<CANFrame, any Error> {
        let (stream, continuation) = AsyncThrowingStream<CANFrame, any Error>.makeStream()
        let (number, ended) = state.withLock { state in
            defer { state.next += 1 }
            if state.ended == nil {
                state.subscribers[state.next] = Subscriber(key: key, continuation: continuation)
            }
            return (state.next, state.ended)
        }
        if let ended {
            continuation.finish(throwing: ended)
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: number) }
        }
        return stream
    }

    private func dispatch(_ frame: CANFrame) {
        observer?(frame, .received)
        let first = frame.data.first
        let receivers = state.withLock { state in
            state.subscribers.sorted { $0.key < $1.key }.compactMap { _, subscriber -> AsyncThrowingStream<CANFrame, any Error>.Continuation? in
                guard let key = subscriber.key else { return subscriber.continuation }
                guard frame.isDataFrame, key.id == frame.id else { return nil }
                guard let byte = key.addressByte else { return subscriber.continuation }
                return byte == first ? subscriber.continuation : nil
            }
        }
        for continuation in receivers { continuation.yield(frame) }
    }

    private func end(_ error: (any Error)?) {
        let continuations = state.withLock { state -> [AsyncThrowingStream<CANFrame, any Error>.Continuation] in
            guard state.ended == nil else { return [] }
            state.ended = .some(error)
            defer { state.subscribers.removeAll() }
            return state.subscribers.values.map(\.continuation)
        }
        for continuation in continuations {
            if let error { continuation.finish(throwing: error) } else { continuation.finish() }
        }
    }

    /// One route of a `FrameDemultiplexer`: sends on the shared transport, receives its share of frames.
    public struct Route: CANTransport {
        let demultiplexer: FrameDemultiplexer
        /// The frames this route takes, or nil for all of them.
        public let key: RouteKey?

        /// The shared transport's name, with the route's id.
        public var name: String {
            guard let key else { return demultiplexer.base.name }
            return demultiplexer.base.name + "/" + key.id.description
                + (key.addressByte.map { "[" + Hex.string($0, digits: 2) + "]" } ?? "")
        }

        /// Sends on the shared transport.
        public func send(_ frame: CANFrame) async throws { try await demultiplexer.send(frame) }

        /// The route's frames from now on.
        public func receivedFrames() -> AsyncThrowingStream<CANFrame, any Error> { demultiplexer.subscribe(key) }
    }
}
