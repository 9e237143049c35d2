package import CANCore

/// Keeps every frame a scan sent and received, in order, stamped with one time base, up to a limit: what
/// `--record` writes and what the scan's findings are decoded from (so a recording decodes to the same
/// findings).
package final class FrameRecorder: Sendable {
    private struct State {
        var frames: [CANFrame] = []
        var dropped = 0
    }

    /// The most frames kept; later ones are counted in ``droppedFrames``.
    public let limit: Int
    private let timestamp: @Sendable () -> Duration
    private let state = Locked(State())

    /// A recorder stamping frames with `timestamp()` (for example a clock's elapsed time plus the Unix time
    /// of the start) and keeping at most `limit` frames.
    public init(limit: Int = 1_000_000, timestamp: @escaping @Sendable () -> Duration) {
        self.limit = limit
        self.timestamp = timestamp
    }

    /// Records `frame` with the recorder's time and `interface` (when the frame has none).
    public func record(_ frame: CANFrame, interface: String? = nil) {
        var frame = frame
        frame.timestamp = timestamp()
        if frame.interface == nil { frame.interface = interface }
        state.withLock { state in
            if state.frames.count < limit { state.frames.append(frame) } else { state.dropped += 1 }
        }
    }

    /// The frames recorded so far.
    public var frames: [CANFrame] { state.withLock { $0.frames } }
    /// Frames beyond the limit.
    public var droppedFrames: Int { state.withLock { $0.dropped } }
}
