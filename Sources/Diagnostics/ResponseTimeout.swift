import CANCore

/// Why a request got no final response: which timer ran out, after how long, and what had arrived.
public struct ResponseTimeout: Hashable, Sendable, CustomStringConvertible {
    /// The timer that ran out.
    public enum Timer: String, Hashable, Sendable {
        /// P2: nothing started within the response timeout.
        case p2 = "P2"
        /// P2*: a response-pending run stopped without a final response.
        case p2Extended = "P2*"
        /// A segmented response started and did not complete.
        case segmentedTransfer = "transfer"
        /// The response-pending budget (count or total time) ran out.
        case responsePendingLimit = "0x78 limit"
    }

    /// The timer.
    public var timer: Timer
    /// How long that timer was set to (or the limit that was reached).
    public var limit: Duration
    /// Time from the (last) request to the timeout.
    public var elapsed: Duration
    /// Response-pending replies received.
    public var responsePendingCount: Int
    /// First frames received (segmented responses started).
    public var firstFramesReceived: Int
    /// Replies that did not belong to the request (other services), ignored.
    public var unrelatedReplies: Int
    /// The request's first bytes, for the log line.
    public var request: [UInt8]

    public var description: String {
        var received: [String] = []
        if responsePendingCount > 0 { received.append("\(responsePendingCount) response-pending (0x78)") }
        if firstFramesReceived > 0 { received.append("\(firstFramesReceived) first frame(s) of a segmented response") }
        if unrelatedReplies > 0 { received.append("\(unrelatedReplies) unrelated repl\(unrelatedReplies == 1 ? "y" : "ies")") }
        let what = received.isEmpty ? "nothing received" : "received " + received.joined(separator: ", ")
        let service = request.prefix(3).map { Hex.string($0, digits: 2) }.joined(separator: " ")
        return "request \(service): \(timer.rawValue) timeout (\(Self.milliseconds(limit))) after "
            + "\(Self.milliseconds(elapsed)); \(what)"
    }

    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
    }
}
