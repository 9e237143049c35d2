public import CANCore
public import Interpretation

/// How one ECU fared in a scan.
public struct ECUScanResult: Hashable, Sendable {
    /// The result column of the scan table.
    public enum Status: Hashable, Sendable {
        /// It answered (its codes, if any, are in the report).
        case answered
        /// It answered nothing at all.
        case noResponse
        /// It refused every request; the last negative response code.
        case refused(UInt8)
        /// It answered, then stopped (or the link went down while talking to it): its findings are partial.
        case stoppedAnswering
        /// It was never asked: the link was down before its turn. The reason.
        case unreached(String)
    }

    /// The ECU as the profile names it.
    public var descriptor: ECUDescriptor
    /// The protocol it answered in, if any.
    public var diagnosticProtocol: DiagnosticProtocol?
    /// The outcome.
    public var status: Status
    /// Time spent on it.
    public var elapsed: Duration
    /// The requests sent, as hex, in order ("10 01", "19 02 FF" ...): what was tried.
    public var requestsSent: [String]
    /// One line per timeout, retry or reception error.
    public var log: [String]

    /// Creates a result.
    public init(
        descriptor: ECUDescriptor, diagnosticProtocol: DiagnosticProtocol?, status: Status, elapsed: Duration,
        requestsSent: [String], log: [String]
    ) {
        self.descriptor = descriptor
        self.diagnosticProtocol = diagnosticProtocol
        self.status = status
        self.elapsed = elapsed
        self.requestsSent = requestsSent
        self.log = log
    }

    /// True when the findings for this ECU are incomplete (stopped answering or never reached).
    public var isPartial: Bool {
        switch status {
        case .stoppedAnswering, .unreached: true
        case .answered, .noResponse, .refused: false
        }
    }
}

/// The state of the CAN interface during a scan (from SocketCAN when live; nil on a virtual bus).
public struct LinkHealth: Hashable, Sendable {
    /// The interface name.
    public var interface: String
    /// The controller state as text ("error-active", "bus-off" ...), if known.
    public var state: String?
    /// Transmit and receive error counters, if known.
    public var transmitErrors: Int?
    /// Receive error counter.
    public var receiveErrors: Int?
    /// True when the bus itself failed (bus-off, stopped, link down).
    public var busFault: Bool

    /// Creates a link record.
    public init(interface: String, state: String?, transmitErrors: Int?, receiveErrors: Int?, busFault: Bool) {
        self.interface = interface
        self.state = state
        self.transmitErrors = transmitErrors
        self.receiveErrors = receiveErrors
        self.busFault = busFault
    }
}

/// Everything a scan found: per-ECU results, the findings decoded from the frames exchanged (the same a
/// recording of the scan decodes to), the link's health and the frames themselves.
public struct ScanReport: Hashable, Sendable {
    /// Results in the profile's order.
    public var results: [ECUScanResult]
    /// Findings: ECU reports, DTC records and the DCM status, decoded from ``frames``.
    public var report: DiagnosticReport
    /// The interface's health, when known.
    public var link: LinkHealth?
    /// Wall time of the whole scan.
    public var elapsed: Duration
    /// Every frame sent and received, stamped (what `--record` writes).
    public var frames: [CANFrame]
    /// What the discovery before the scan found, when there was one.
    public var discovery: DiscoveryResult?
    /// The ISO-TP implementation the physical requests went through ("user-space", "kernel"), when known.
    public var isoTPBackend: String?

    /// Creates a report; a bus fault turns a silent DCM's verdict into `DCMStatus.busFault`.
    public init(
        results: [ECUScanResult], report: DiagnosticReport, link: LinkHealth?, elapsed: Duration, frames: [CANFrame],
        discovery: DiscoveryResult? = nil, isoTPBackend: String? = nil
    ) {
        self.discovery = discovery
        self.isoTPBackend = isoTPBackend
        self.results = results
        self.report = report
        self.link = link
        self.elapsed = elapsed
        self.frames = frames
        if link?.busFault == true, let status = report.dcmStatus, !status.answered {
            self.report.dcmStatus?.verdict = .busFault
        }
    }

    /// True when some ECU's findings are incomplete: the scan should be repeated.
    public var isPartial: Bool { results.contains(where: \.isPartial) }

    /// What triage needs, with ECUs that were never reached counted as unresponsive.
    public var vehicleFindings: VehicleFindings {
        var findings = report.vehicleFindings
        for result in results {
            if case .unreached = result.status {
                let address = result.descriptor.address
                findings.unresponsive.append(
                    ECUIdentity(
                        name: result.descriptor.name, requestID: address.requestID.value,
                        responseID: address.responseID.value, extendedAddress: address.extendedAddress,
                        role: result.descriptor.role))
            }
        }
        return findings
    }
}
