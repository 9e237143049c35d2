public import CANCore
public import ISOTP

/// The whole offline pipeline after the log reader: frames in, a ``DiagnosticReport`` out. It reassembles
/// ISO-TP traffic in both directions with no prior configuration, pairs requests with responses and
/// decodes every DTC, identification read and negative response.
///
/// ```swift
/// var decoder = LogDecoder()
/// while let frame = try reader.next() { decoder.feed(frame) }
/// let report = decoder.finish(skippedLines: reader.skipped)
/// ```
public struct LogDecoder: Sendable {
    private var tracker: ISOTPFlowTracker
    private var conversations: ConversationDecoder
    private var errorFrames = 0
    private var busFaultSeen = false

    /// Creates a decoder. `tracker` sets which ids are diagnostic and which use extended addressing.
    public init(
        profile: VehicleProfile = .toyota, tracker: ISOTPFlowTracker.Configuration = .init(),
        limits: ConversationDecoder.Limits = .init()
    ) {
        self.tracker = ISOTPFlowTracker(configuration: tracker)
        conversations = ConversationDecoder(profile: profile, limits: limits)
    }

    /// Whether data frames on `id` can be diagnostic; frames on other ids may be counted with
    /// ``passOver(nonDiagnosticFrames:latestTimestamp:)`` instead of fed (a reader's fast path).
    public func watches(_ id: CANIdentifier) -> Bool { tracker.watches(id) }

    /// Counts `count` classic or FD data frames on ids ``watches(_:)`` rejects, in place of feeding them;
    /// `latestTimestamp` is the time of the last of them.
    public mutating func passOver(nonDiagnosticFrames count: Int, latestTimestamp: Duration?) {
        tracker.passOver(nonDiagnosticFrames: count, latestTimestamp: latestTimestamp)
    }

    /// Records streamed out but left out of their ECU's report (see ``ConversationDecoder/distinctRecordsLeftOut``).
    public var distinctRecordsLeftOut: Int { conversations.distinctRecordsLeftOut }

    /// The DTC records decoded since the last call, in input order (see ``ConversationDecoder/takeDTCRecords()``).
    public mutating func takeDTCRecords() -> [DTCRecord] { conversations.takeDTCRecords() }

    /// The profile's name for the ECU at `address` (see ``ConversationDecoder/ecuName(at:)``).
    public func ecuName(at address: ECUAddress) -> String? { conversations.ecuName(at: address) }

    /// Feeds one frame, in input order.
    public mutating func feed(_ frame: CANFrame) {
        if case .error(let classes) = frame.kind {
            errorFrames += 1
            if classes.contains(.busOff) || classes.contains(.controller) { busFaultSeen = true }
        }
        if let message = tracker.feed(frame) { conversations.feed(message) }
    }

    /// Ends the input: messages cut off by the end are counted, and the report is built.
    ///
    /// - Parameter skippedLines: lines the log reader skipped as malformed, for the summary.
    public mutating func finish(skippedLines: Int = 0) -> DiagnosticReport {
        _ = tracker.finish()
        let statistics = tracker.statistics
        var summary = DecodeSummary()
        summary.frames = statistics.framesFed
        summary.skippedLines = skippedLines
        // Frames of reassembled messages that no codec could read are rejected as an undecodable payload.
        let undecodable = conversations.undecodableFrames
        var buckets: [String: Int] = [
            "message": statistics.messageFrames - undecodable.data,
            "flowControl": statistics.flowControlFrames - undecodable.flowControl,
            "nonDiagnostic": statistics.nonDiagnosticFrames,
        ]
        if undecodable.data + undecodable.flowControl > 0 {
            buckets["rejected.undecodablePayload"] = undecodable.data + undecodable.flowControl
        }
        if statistics.pendingFrames > 0 { buckets["pending"] = statistics.pendingFrames }
        for (reason, count) in statistics.rejectedFrames where count > 0 {
            buckets["rejected." + reason.rawValue] = count
        }
        summary.frameBuckets = buckets
        summary.errorFrames = errorFrames
        return conversations.report(summary: summary, busFaultSeen: busFaultSeen)
    }
}
