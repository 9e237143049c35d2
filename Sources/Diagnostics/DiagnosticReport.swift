public import DTC
public import Interpretation
public import KWP

/// One DTC as one positive response reported it. A code read twice is two records.
public struct DTCRecord: Hashable, Sendable {
    /// The code with its failure type and status, as the ECU sent them.
    public var dtc: DiagnosticTroubleCode
    /// The protocol of the response that carried it.
    public var source: DiagnosticProtocol
    /// The service and sub-function that carried it, as hex ("19 02", "13", "07").
    public var service: String
    /// When the response's last frame was seen, if the input had time.
    public var timestamp: Duration?
    /// The ECU that reported it.
    public var ecu: ECUAddress
    /// The KWP2000 statusOfDTC byte a 0x58 response gave with the code (ISO 14230-3; not the ISO 14229 status
    /// byte, so it is kept apart from `dtc.status`).
    public var kwpStatus: KWPReadDiagnosticTroubleCodesByStatus.Status?

    /// Creates a record.
    public init(
        dtc: DiagnosticTroubleCode, source: DiagnosticProtocol, service: String, timestamp: Duration?, ecu: ECUAddress,
        kwpStatus: KWPReadDiagnosticTroubleCodesByStatus.Status? = nil
    ) {
        self.dtc = dtc
        self.source = source
        self.service = service
        self.timestamp = timestamp
        self.ecu = ecu
        self.kwpStatus = kwpStatus
    }

    /// The headline state a mechanic reads: from the status byte when the ECU sent one (`DTCStatus.summary`:
    /// current, pending, history or stored); without one, from the OBD service that listed the code (SAE J1979:
    /// mode 03 lists stored, confirmed codes, mode 07 pending codes, mode 0A permanent codes); from the KWP2000
    /// statusOfDTC storage state (bits 5-6: present at the time of the request is current, maturing is pending,
    /// not present is history); nil when nothing says (KWP 0x13 lists codes without a state).
    public var state: String? {
        if let status = dtc.status { return status.summary.state }
        if let kwpStatus {
            switch kwpStatus.storageState {
            case 3: return "current"
            case 2: return "pending"
            case 1: return "history"
            default: return nil
            }
        }
        guard source == .obd else { return nil }
        switch service {
        case "03": return "stored"
        case "07": return "pending"
        case "0A": return "permanent"
        default: return nil
        }
    }

    /// Whether the record reports a fault: true without a status byte (KWP 0x13, OBD modes 03/07/0A list only
    /// faults), else when any failure bit is set. ReadDTCInformation 0x0A (supported DTCs) lists every code an
    /// ECU can set, most with status 0x00 or only the test-not-completed bits (ISO 14229-1 D.2): no fault.
    package var indicatesFault: Bool {
        guard let status = dtc.status else { return true }
        return !status.isDisjoint(with: Self.faultBits)
    }

    private static let faultBits: DTCStatus = [
        .testFailed, .testFailedThisOperationCycle, .pendingDTC, .confirmedDTC, .testFailedSinceLastClear,
        .warningIndicatorRequested,
    ]
}

/// A negative response an ECU gave (a value, not an error): which service it refused and why.
public struct NegativeResponseRecord: Hashable, Sendable {
    /// The refused service id.
    public var serviceID: UInt8
    /// The response code byte.
    public var code: UInt8
    /// The code's standard name ("responsePending", "serviceNotSupported"), or hex.
    public var name: String
    /// When it was seen.
    public var timestamp: Duration?

    /// Creates a record.
    public init(serviceID: UInt8, code: UInt8, name: String, timestamp: Duration?) {
        self.serviceID = serviceID
        self.code = code
        self.name = name
        self.timestamp = timestamp
    }
}

/// Everything one ECU's conversations showed.
public struct ECUReport: Hashable, Sendable {
    /// Where it was reached.
    public var address: ECUAddress
    /// Its name from the vehicle profile, when the profile knows the address.
    public var name: String?
    /// Its role in a Remote Connect diagnosis (from the profile; `.other` when unknown).
    public var role: ECURole
    /// Protocols seen in its positive responses.
    public var protocols: Set<DiagnosticProtocol>
    /// Services requested from it, by request service id, with how often.
    public var servicesRequested: [UInt8: Int]
    /// Whether it sent any response at all.
    public var answered: Bool
    /// Identification read from it: "vin", "applicationSoftware", "serialNumber", ... → text.
    public var identification: [String: String]
    /// The session its last positive session-control response (or DID F186) reported.
    public var activeSession: UInt8?
    /// Its DTC records, in the order seen.
    public var dtcs: [DTCRecord]
    /// Its negative responses (response-pending 0x78 runs included, each counted once per run).
    public var negativeResponses: [NegativeResponseRecord]
    /// Requests that got no final response before the input ended.
    public var unansweredRequests: Int
    /// Messages to or from it that could not be decoded.
    public var undecodableMessages: Int

    /// An empty report for `address`.
    public init(address: ECUAddress, name: String? = nil, role: ECURole = .other) {
        self.address = address
        self.name = name
        self.role = role
        protocols = []
        servicesRequested = [:]
        answered = false
        identification = [:]
        activeSession = nil
        dtcs = []
        negativeResponses = []
        unansweredRequests = 0
        undecodableMessages = 0
    }
}

/// What the DCM's conversations in a log showed (Toyota: 0x750/0x758, sub-address 0xC7).
public struct DCMStatusReport: Hashable, Sendable {
    /// Whether it answered any request.
    public var answered: Bool
    /// What was asked of it (request service ids and counts).
    public var requestsSent: Int
    /// VIN, software and serial ids read.
    public var identification: [String: String]
    /// Active session, if seen.
    public var activeSession: UInt8?
    /// Its DTCs by state ("current", "pending", "history", "stored", "permanent"; see ``DTCRecord/state``).
    public var dtcsByState: [String: [DiagnosticTroubleCode]]
    /// Its negative responses.
    public var negativeResponses: [NegativeResponseRecord]
    /// The verdict.
    public var verdict: DCMStatus

    /// Derives the DCM status from its ECU report (nil report: never addressed).
    public init(report: ECUReport, busFaultSeen: Bool) {
        answered = report.answered
        requestsSent = report.servicesRequested.values.reduce(0, +)
        identification = report.identification
        activeSession = report.activeSession
        var byState: [String: [DiagnosticTroubleCode]] = [:]
        for record in report.dtcs where record.indicatesFault {
            let state = record.state ?? "stored"
            if !(byState[state]?.contains(record.dtc) ?? false) { byState[state, default: []].append(record.dtc) }
        }
        dtcsByState = byState
        negativeResponses = report.negativeResponses
        if busFaultSeen {
            verdict = .busFault
        } else if !report.answered {
            // Requests that expect no positive answer (`3E 80`) leave it unknown, not silent.
            verdict = report.unansweredRequests > 0 ? .notResponding : .unknown
        } else if report.dtcs.contains(where: \.indicatesFault) {
            verdict = .faultsPresent
        } else if report.servicesRequested.keys.contains(where: { [0x19, 0x13, 0x18].contains($0) }) {
            verdict = .healthy
        } else {
            verdict = .unknown
        }
    }
}

/// Counts that account for every frame and message of a decode.
public struct DecodeSummary: Hashable, Sendable {
    /// Frames read from the input.
    public var frames: Int = 0
    /// Input lines or records skipped as malformed.
    public var skippedLines: Int = 0
    /// ISO-TP messages reassembled.
    public var messages: Int = 0
    /// Messages whose payload no codec could decode.
    public var undecodableMessages: Int = 0
    /// Responses that arrived with no request open for them (a log that starts mid-conversation).
    public var responsesWithoutRequest: Int = 0
    /// SocketCAN error frames seen (also counted in `frames`).
    public var errorFrames: Int = 0
    /// DTC records beyond the decoder's limit, counted but not kept.
    public var dtcRecordsDropped: Int = 0
    /// Frames by bucket: "message", "flowControl", "nonDiagnostic", and one per rejection reason.
    public var frameBuckets: [String: Int] = [:]

    /// An empty summary.
    public init() {}
}

/// Everything a log (or, later, a scan) showed: per-ECU reports, every DTC record, the DCM's status.
public struct DiagnosticReport: Hashable, Sendable {
    /// ECU reports ordered by address.
    public var ecus: [ECUReport]
    /// Every DTC record in input order.
    public var dtcs: [DTCRecord]
    /// The DCM's status when the input holds its conversation.
    public var dcmStatus: DCMStatusReport?
    /// Counts.
    public var summary: DecodeSummary

    /// Creates a report.
    public init(ecus: [ECUReport], dtcs: [DTCRecord], dcmStatus: DCMStatusReport?, summary: DecodeSummary) {
        self.ecus = ecus
        self.dtcs = dtcs
        self.dcmStatus = dcmStatus
        self.summary = summary
    }
}
