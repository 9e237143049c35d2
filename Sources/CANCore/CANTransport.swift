/// Anything that sends and receives CAN frames: a SocketCAN socket, the in-process virtual bus, a log replay.
///
/// Protocol layers (ISO-TP channels, the diagnostics client) are written against this protocol, so one
/// implementation serves live adapters, simulations and tests.
public protocol CANTransport: Sendable {
    /// The frames this transport receives, in arrival order.
    associatedtype ReceivedFrames: AsyncSequence<CANFrame, any Error> & Sendable

    /// A name for messages and logs ("can0", "virtual").
    var name: String { get }

    /// Sends one frame. Returns once the transport has accepted it (queued to the driver or the bus);
    /// waits out temporary back-pressure instead of failing.
    func send(_ frame: CANFrame) async throws

    /// A sequence of every frame received from now on. Each call starts a new subscription.
    func receivedFrames() -> ReceivedFrames
}
