public import CANCore
public import ISOTP

/// One ISO-TP connection to one ECU, message by message: what the diagnostics client needs, whichever ISO-TP
/// implementation carries it (the user-space `ISOTPChannel` or the kernel's `CAN_ISOTP` socket).
///
/// `receive` throws `ISOTPError` with code `channelClosed` once the connection is gone for good; any other
/// error is one failed reception, and the connection goes on.
public protocol MessageTransport: Sendable {
    /// Sends one whole message.
    func send(_ message: [UInt8]) async throws
    /// The next whole message, waiting up to `timeout` (nil: no limit).
    func receive(timeout: Duration?) async throws -> [UInt8]
    /// Whether ``onFirstFrame(_:)`` is called; a transport that cannot see first frames returns false.
    var reportsFirstFrames: Bool { get }
    /// Calls `handler` with the announced length when a segmented message starts arriving (nil removes it).
    func onFirstFrame(_ handler: (@Sendable (_ announcedLength: Int) -> Void)?) async
    /// Ends the connection.
    func close() async
}

extension MessageTransport {
    /// Not seen, unless the transport says otherwise.
    public var reportsFirstFrames: Bool { false }
    /// Ignored, unless the transport says otherwise.
    public func onFirstFrame(_ handler: (@Sendable (_ announcedLength: Int) -> Void)?) async {}
}

extension ISOTPChannel: MessageTransport {
    /// The channel sees every frame: it reports first frames.
    public nonisolated var reportsFirstFrames: Bool { true }
}

/// A ``MessageTransport`` that cannot see first frames (the kernel's ISO-TP socket), given them by watching the
/// ECU's response frames on a `CANTransport` (a `FrameDemultiplexer` route over a raw socket on the same
/// interface), so a late segmented answer still restarts the client's response timer.
public actor FirstFrameWatchingTransport<Inner: MessageTransport, Frames: CANTransport>: MessageTransport {
    /// The transport messages go through.
    public nonisolated let inner: Inner
    /// Where the response frames are watched.
    public nonisolated let frames: Frames
    /// The address bytes before the PCI in watched frames (1 with extended addressing).
    public nonisolated let addressBytes: Int
    private var watcher: Task<Void, Never>?

    /// Wraps `inner`, watching `frames` (which carry only the ECU's response id and sub-address).
    public init(_ inner: Inner, watching frames: Frames, addressBytes: Int) {
        self.inner = inner
        self.frames = frames
        self.addressBytes = addressBytes
    }

    /// Sends through the inner transport.
    public func send(_ message: [UInt8]) async throws { try await inner.send(message) }

    /// Receives through the inner transport.
    public func receive(timeout: Duration?) async throws -> [UInt8] { try await inner.receive(timeout: timeout) }

    /// First frames are seen by watching.
    public nonisolated var reportsFirstFrames: Bool { true }

    /// Starts (or stops, with nil) watching for first frames.
    public func onFirstFrame(_ handler: (@Sendable (_ announcedLength: Int) -> Void)?) async {
        watcher?.cancel()
        watcher = nil
        guard let handler else { return }
        let stream = frames.receivedFrames()
        let addressBytes = addressBytes
        watcher = Task {
            do {
                for try await frame in stream {
                    if case .first(let length, _)? = try? ISOTPFrame(decoding: frame.data, addressBytes: addressBytes) {
                        handler(length)
                    }
                }
            } catch {}
        }
    }

    /// Stops watching and closes the inner transport.
    public func close() async {
        watcher?.cancel()
        watcher = nil
        await inner.close()
    }
}
