/// The application-layer timing and retry limits of one ECU conversation (ISO 14229-2 §7.2, table 4).
public struct DiagnosticTiming: Hashable, Sendable {
    /// P2: how long the ECU may take to start its response. ISO 14229-2 default 50 ms; updated from the
    /// ECU's 0x10 response.
    public var responseTimeout: Duration
    /// P2*: how long the ECU may take after a response-pending (0x78) reply. Default 5000 ms; updated from
    /// the ECU's 0x10 response.
    public var extendedResponseTimeout: Duration
    /// After a first frame arrives the rest of the response is ISO-TP's business (N_Cr per frame); this bounds
    /// the whole segmented transfer. The response timer restarts with it on every first frame (a Toyota EPS
    /// sends its first frame up to ~50 ms late and its next frame ~50 ms after our flow control).
    public var segmentedTransferTimeout: Duration
    /// The most response-pending replies accepted for one request.
    public var maximumResponsePending: Int
    /// The longest a run of response-pending replies may last, from the request.
    public var maximumResponsePendingTime: Duration
    /// How often a request refused with busy-repeat-request (0x21) is sent again.
    public var maximumBusyRetries: Int
    /// How long to wait before repeating a request refused with 0x21.
    public var busyRetryDelay: Duration
    /// How often tester present goes out while a session is kept alive and idle (S3 server is 5 s).
    public var testerPresentInterval: Duration

    /// Creates timing; the defaults are the standard's.
    public init(
        responseTimeout: Duration = .milliseconds(50), extendedResponseTimeout: Duration = .milliseconds(5000),
        segmentedTransferTimeout: Duration = .milliseconds(5000), maximumResponsePending: Int = 20,
        maximumResponsePendingTime: Duration = .seconds(30), maximumBusyRetries: Int = 3,
        busyRetryDelay: Duration = .milliseconds(100), testerPresentInterval: Duration = .milliseconds(2000)
    ) {
        self.responseTimeout = responseTimeout
        self.extendedResponseTimeout = extendedResponseTimeout
        self.segmentedTransferTimeout = segmentedTransferTimeout
        self.maximumResponsePending = maximumResponsePending
        self.maximumResponsePendingTime = maximumResponsePendingTime
        self.maximumBusyRetries = maximumBusyRetries
        self.busyRetryDelay = busyRetryDelay
        self.testerPresentInterval = testerPresentInterval
    }

    /// The timing with P2 and P2* from a UDS `50 xx` response, when it carries them (`50 01 00 32 01 F4`:
    /// P2 = 0x0032 ms, P2* = 0x01F4 × 10 ms). The ECU's values only lengthen ours: they are the server's
    /// times, and the tester's own (ISO 14229-2 P2client = P2server + ΔP2) must also cover the network and
    /// the adapter, which the configured values do. Values of zero are ignored.
    public func updated(fromSessionResponse payload: [UInt8]) -> DiagnosticTiming {
        guard payload.count >= 6, payload[0] == 0x50 else { return self }
        var timing = self
        let p2 = Duration.milliseconds(Int(payload[2]) << 8 | Int(payload[3]))
        let p2Star = Duration.milliseconds((Int(payload[4]) << 8 | Int(payload[5])) * 10)
        timing.responseTimeout = max(responseTimeout, p2)
        timing.extendedResponseTimeout = max(extendedResponseTimeout, p2Star)
        return timing
    }
}
