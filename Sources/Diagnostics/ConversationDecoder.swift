import CANCore
import DTC
public import ISOTP
import KWP
import OBD
import UDS

/// Turns reassembled ISO-TP messages into findings: pairs each request with its response (through runs of
/// response-pending 0x78 replies and functional requests answered by several ECUs), decodes both with the
/// right protocol, and collects per-ECU reports, DTC records and the DCM's status. No I/O.
public struct ConversationDecoder: Sendable {
    /// A request waiting for its final response.
    struct PendingRequest: Sendable {
        var payload: [UInt8]
        var timestamp: Duration?
        /// True while the latest reply was 0x78 (response pending), so a run counts once.
        var inResponsePendingRun = false

        /// Whether the request sets suppressPosRspMsgIndicationBit (bit 7 of the sub-function, ISO 14229-1
        /// §8.2.2), so silence is the expected answer: `3E 80` tester present, `28 81 01`, `85 82`. It stays
        /// open for a negative response, but is not counted as unanswered.
        var suppressesPositiveResponse: Bool {
            payload.count >= 2 && Self.servicesWithSubFunction.contains(payload[0]) && payload[1] & 0x80 != 0
        }

        /// UDS services whose first parameter is a sub-function with the suppress bit. 0x19 is left out: its
        /// report types never set bit 7.
        static let servicesWithSubFunction: Set<UInt8> = [
            0x10, 0x11, 0x27, 0x28, 0x29, 0x2C, 0x31, 0x3E, 0x83, 0x84, 0x85, 0x86, 0x87,
        ]
    }

    /// Limits that keep memory bounded on any input.
    public struct Limits: Hashable, Sendable {
        /// How long a functional request stays open for answers from several ECUs (P2* default 5 s).
        public var functionalResponseWindow: Duration = .seconds(5)
        /// At most this many negative-response records are kept per ECU; the rest are counted only.
        public var negativeResponsesKeptPerECU = 1000
        /// At most this many DTC records are kept; further ones are counted in `DecodeSummary.dtcRecordsDropped`.
        public var dtcRecordsKept = 1_000_000
        /// Whether every DTC record is also kept in each ECU's report. A caller that streams records out with
        /// ``ConversationDecoder/takeDTCRecords()`` turns this off, so memory does not grow with the log: each
        /// ECU's report then keeps one record per distinct code, failure type and status (what the DCM status
        /// and triage need), the first one seen, up to ``distinctDTCRecordsPerECU``.
        public var keepsDTCRecordsInECUReports = true
        /// With ``keepsDTCRecordsInECUReports`` off, at most this many distinct records are kept in each ECU's
        /// report; further distinct ones are still streamed and counted in
        /// ``ConversationDecoder/distinctRecordsLeftOut``.
        public var distinctDTCRecordsPerECU = 256

        /// Default limits.
        public init() {}
    }

    /// The address map used to name ECUs and find the DCM.
    public let profile: VehicleProfile
    /// The limits in force.
    public let limits: Limits

    /// Each ECU's report, in the order first heard, found through `reportIndex` (and `lastReport`: most
    /// messages come from the ECU the message before came from).
    private var reports: [ECUReport] = []
    private var reportIndex: [ECUAddress: Int] = [:]
    private var lastReport: (address: ECUAddress, index: Int)?
    private var pending: [ECUAddress: PendingRequest] = [:]
    /// Functional requests by request id (0x7DF, 0x18DB33F1), answered by any ECU in its range.
    private var functional: [CANIdentifier: PendingRequest] = [:]
    private var records: [DTCRecord] = []
    /// DTC records kept so far, including those already taken by ``takeDTCRecords()``.
    private var recordsKept = 0
    private(set) var messages = 0
    private(set) var undecodable = 0
    /// The frames (data frames, flow-control frames) of the messages counted in `undecodable`: in the summary they
    /// leave the message buckets for their own, so every frame still ends in exactly one.
    package private(set) var undecodableFrames = (data: 0, flowControl: 0)
    private(set) var responsesWithoutRequest = 0
    private(set) var dtcRecordsDropped = 0
    /// Records streamed out but left out of their ECU's report because it already held
    /// ``Limits/distinctDTCRecordsPerECU`` distinct ones (only with ``Limits/keepsDTCRecordsInECUReports`` off).
    public private(set) var distinctRecordsLeftOut = 0
    /// What each ECU's report holds, by code, failure type, status and KWP status, when records are streamed.
    /// By the report's index in `reports`.
    private var distinctInReports: [Set<DistinctRecord>] = []

    private struct DistinctRecord: Hashable {
        var dtc: DiagnosticTroubleCode
        var kwpStatus: UInt8?
    }

    /// Creates a decoder naming ECUs from `profile`.
    public init(profile: VehicleProfile = .toyota, limits: Limits = Limits()) {
        self.profile = profile
        self.limits = limits
    }

    /// Feeds one reassembled message, in input order.
    public mutating func feed(_ message: ISOTPFlowMessage) {
        messages += 1
        let undecodableBefore = undecodable
        defer {
            if undecodable > undecodableBefore {
                undecodableFrames.data += message.frameCount
                undecodableFrames.flowControl += message.flowControlFrameCount
            }
        }
        guard !message.payload.isEmpty else {
            undecodable += 1
            return
        }
        switch message.direction {
        case .request: request(message)
        case .response: response(message)
        }
    }

    private mutating func request(_ message: ISOTPFlowMessage) {
        let pendingRequest = PendingRequest(payload: message.payload, timestamp: message.lastTimestamp)
        guard let peer = message.peerID, message.targetType == .physical else {
            functional[message.id] = pendingRequest
            return
        }
        let address = ECUAddress(requestID: message.id, responseID: peer, extendedAddress: message.addressExtension)
        withReport(address) { $0.servicesRequested[message.payload[0], default: 0] += 1 }
        if let open = pending[address], !open.suppressesPositiveResponse {
            withReport(address) { $0.unansweredRequests += 1 }
        }
        pending[address] = pendingRequest
    }

    private mutating func response(_ message: ISOTPFlowMessage) {
        guard let peer = message.peerID else {
            undecodable += 1
            return
        }
        let address = ECUAddress(requestID: peer, responseID: message.id, extendedAddress: message.addressExtension)
        var request = pending[address]
        if request == nil, let answered = functionalRequest(answeredBy: address, at: message.lastTimestamp) {
            request = answered
            withReport(address) { $0.servicesRequested[answered.payload[0], default: 0] += 1 }
        }
        if request == nil { responsesWithoutRequest += 1 }
        withReport(address) { $0.answered = true }

        let payload = message.payload
        // A negative response is `7F <service> <code>` in UDS, KWP2000 and OBD alike, with shared code values.
        if payload[0] == 0x7F {
            guard payload.count >= 3 else {
                noteUndecodable(address)
                return
            }
            let code = NegativeResponseCode(rawValue: payload[2])
            let isPendingReply = code == .requestCorrectlyReceivedResponsePending
            if !(isPendingReply && (pending[address]?.inResponsePendingRun ?? false)) {
                recordNegative(address, serviceID: payload[1], code: code, at: message.lastTimestamp)
            }
            if isPendingReply {
                if var open = request {
                    open.inResponsePendingRun = true
                    pending[address] = open
                }
            } else {
                pending[address] = nil
            }
            return
        }
        pending[address] = nil
        decodePositive(payload, request: request?.payload, address: address, timestamp: message.lastTimestamp)
    }

    /// The open functional request an ECU at `address` is answering, if any: the request id must be the
    /// functional id of the ECU's id family, and the request must be recent.
    private func functionalRequest(answeredBy address: ECUAddress, at time: Duration?) -> PendingRequest? {
        for (id, request) in functional where Self.isFunctional(id, for: address.requestID) {
            if let time, let sent = request.timestamp, time - sent > limits.functionalResponseWindow { continue }
            return request
        }
        return nil
    }

    /// 0x7DF serves the 11-bit range; 0x18DB33F1 (and any 0x18DBxxF1) serves 0x18DAxxF1 ECUs.
    static func isFunctional(_ id: CANIdentifier, for physical: CANIdentifier) -> Bool {
        if id.isExtended != physical.isExtended { return false }
        if !id.isExtended { return id.value == 0x7DF }
        return id.value & 0xFFFF_0000 == 0x18DB_0000 && physical.value & 0xFFFF_0000 == 0x18DA_0000
    }

    private mutating func decodePositive(
        _ payload: [UInt8], request: [UInt8]?, address: ECUAddress, timestamp: Duration?
    ) {
        let known = reports[index(of: address)].protocols
        let guess = Self.protocolOf(response: payload, request: request, known: known)
        switch guess {
        case .uds:
            if let decoded = try? UDSMessage(decoding: payload) {
                withReport(address) { $0.protocols.insert(.uds) }
                absorb(decoded, request: request, address: address, timestamp: timestamp)
            } else if let decoded = Self.kwpServiceKnown(payload) {
                // KWP2000's one-byte tester present `3E` → `7E` (Lexus IS-F, Techstream) is no UDS message: a
                // service both protocols share is guessed as UDS on an ECU not heard from yet.
                withReport(address) { $0.protocols.insert(.kwp) }
                absorb(decoded, address: address, timestamp: timestamp)
            } else {
                noteUndecodable(address)
            }
        case .kwp:
            guard let decoded = try? KWPMessage(decoding: payload) else { return noteUndecodable(address) }
            withReport(address) { $0.protocols.insert(.kwp) }
            absorb(decoded, address: address, timestamp: timestamp)
        case .obd:
            guard let decoded = try? OBDMessage(decoding: payload) else { return noteUndecodable(address) }
            withReport(address) { $0.protocols.insert(.obd) }
            absorb(decoded, address: address, timestamp: timestamp)
        case nil:
            noteUndecodable(address)
        }
    }

    /// The payload as a KWP2000 message of a service the KWP codec decodes (not its catch-all), if it is one.
    static func kwpServiceKnown(_ payload: [UInt8]) -> KWPMessage? {
        guard let decoded = try? KWPMessage(decoding: payload) else { return nil }
        if case .other = decoded.content { return nil }
        return decoded
    }

    /// Which protocol a positive response belongs to. The request decides where the service ids differ
    /// (KWP 0x13/0x18 vs UDS 0x19; OBD modes 0x01-0x0A); for services both protocols share (0x10, 0x14,
    /// 0x3E...) the ECU's earlier answers decide, then UDS.
    static func protocolOf(response: [UInt8], request: [UInt8]?, known: Set<DiagnosticProtocol>) -> DiagnosticProtocol?
    {
        let service = request?.first ?? (response[0] & ~0x40)
        switch service {
        case 0x01...0x0A: return .obd
        case 0x19, 0x22, 0x2E, 0x2F, 0x28, 0x85, 0x86, 0x87, 0x24, 0x2A, 0x2C, 0x3D, 0x29, 0x38, 0x84:
            return .uds
        case 0x12, 0x13, 0x17, 0x18, 0x1A, 0x21, 0x30, 0x3B, 0x1B, 0x20, 0x26, 0x33, 0x82:
            return .kwp
        case 0x10:
            // Toyota KWP ECUs answer 0x5F (and 0x81-0x8x) sessions; UDS sessions are 0x01-0x7F with P2 timing.
            if response.count == 2 || (response.count >= 2 && response[1] >= 0x81) {
                return known.contains(.uds) ? .uds : .kwp
            }
            return .uds
        default:
            if known.contains(.kwp) && !known.contains(.uds) { return .kwp }
            if service >= 0x10 && service <= 0x3E || service >= 0x80 && service <= 0xBF { return .uds }
            return nil
        }
    }

    private mutating func absorb(_ message: UDSMessage, request: [UInt8]?, address: ECUAddress, timestamp: Duration?) {
        switch message.content {
        case .readDTCInformationResponse:
            let service = Self.readDTCInformationServices[Int(message.payload.count > 1 ? message.payload[1] : 0)]
            addDTCs(message.dtcs, source: .uds, service: service, address: address, timestamp: timestamp)
        case .diagnosticSessionControlResponse(let response):
            withReport(address) { $0.activeSession = response.sessionType.rawValue }
        case .readDataByIdentifierResponse(let response):
            // A DID of unknown length runs to the end of the response, so the codec will not call it text; when
            // the request asked for that one DID alone, the rest of the response is exactly its value.
            let soleDID = request.flatMap { $0.count == 3 && $0[0] == 0x22 ? UInt16($0[1]) << 8 | UInt16($0[2]) : nil }
            for var record in response.records {
                if record.isRemainderOfMessage, response.records.count == 1, record.identifier.rawValue == soleDID {
                    record.isRemainderOfMessage = false
                }
                if record.identifier == .activeDiagnosticSession, let session = record.data.first {
                    withReport(address) { $0.activeSession = session }
                    continue
                }
                guard let key = Self.identificationKeys[record.identifier.rawValue] else { continue }
                // A lone DID of unknown length runs to the end of the message, which is then all its data.
                let lone = response.records.count == 1 && record.identifier.isUsuallyText
                let value = record.text ?? (lone ? Self.printableText(record.data) : nil) ?? Hex.spaced(record.data)
                withReport(address) { $0.identification[key] = value }
            }
        default:
            break
        }
    }

    private mutating func absorb(_ message: KWPMessage, address: ECUAddress, timestamp: Duration?) {
        switch message.content {
        case .readDiagnosticTroubleCodesResponse:
            addDTCs(message.dtcs, source: .kwp, service: "13", address: address, timestamp: timestamp)
        case .readDiagnosticTroubleCodesByStatusResponse(let response):
            addDTCs(
                message.dtcs, source: .kwp, service: "18", address: address, timestamp: timestamp,
                kwpStatuses: response.records.map(\.status))
        case .readECUIdentificationResponse(let response):
            let value = response.text ?? Hex.spaced(response.data)
            withReport(address) {
                $0.identification["kwpIdentification" + Hex.string(response.option, digits: 2)] = value
            }
        case .startDiagnosticSessionResponse:
            if message.payload.count >= 2 { withReport(address) { $0.activeSession = message.payload[1] } }
        default:
            break
        }
    }

    private mutating func absorb(_ message: OBDMessage, address: ECUAddress, timestamp: Duration?) {
        switch message.content {
        case .troubleCodesResponse:
            let service = Self.obdModes[Int(message.payload[0] & ~0x40)]
            addDTCs(message.dtcs, source: .obd, service: service, address: address, timestamp: timestamp)
        case .vehicleInformationResponse(let response):
            let key: String? =
                switch response.infoType {
                case 0x02: "vin"
                case 0x04: "calibrationID"
                case 0x0A: "ecuName"
                default: nil
                }
            guard let key else { break }
            let value = response.texts.compactMap { $0 }.joined(separator: ", ")
            if !value.isEmpty { withReport(address) { $0.identification[key] = value } }
        default:
            break
        }
    }

    /// `bytes` as text when every byte is printable ASCII once trailing 0x00/0xFF/space padding is dropped.
    static func printableText(_ bytes: ArraySlice<UInt8>) -> String? {
        var trimmed = bytes
        while let last = trimmed.last, last == 0x00 || last == 0xFF || last == 0x20 { trimmed.removeLast() }
        guard !trimmed.isEmpty, trimmed.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        return String(decoding: trimmed, as: UTF8.self)
    }

    /// `19 02`, `19 0A`...: a DTC record's service for each ReadDTCInformation sub-function, made once.
    static let readDTCInformationServices = (0...255).map { "19 " + Hex.string(UInt8($0), digits: 2) }
    /// `03`, `07`, `0A`...: a DTC record's service for each OBD mode, made once.
    static let obdModes = (0...255).map { Hex.string(UInt8($0), digits: 2) }

    /// Identification DIDs kept in ECU reports, by the key they are reported under.
    static let identificationKeys: [UInt16: String] = [
        0xF190: "vin", 0xF181: "applicationSoftware", 0xF188: "ecuSoftwareNumber", 0xF189: "softwareVersion",
        0xF18C: "serialNumber", 0xF187: "sparePartNumber", 0xF18A: "supplier", 0xF197: "systemName",
        0xF180: "bootSoftware", 0xF191: "ecuHardwareNumber", 0xF193: "hardwareVersion",
        0xF195: "supplierSoftwareVersion",
    ]

    private mutating func addDTCs(
        _ dtcs: [DiagnosticTroubleCode], source: DiagnosticProtocol, service: String, address: ECUAddress,
        timestamp: Duration?, kwpStatuses: [KWPReadDiagnosticTroubleCodesByStatus.Status]? = nil
    ) {
        let report = index(of: address)
        for (index, dtc) in dtcs.enumerated() {
            guard recordsKept < limits.dtcRecordsKept else {
                dtcRecordsDropped += 1
                continue
            }
            let record = DTCRecord(
                dtc: dtc, source: source, service: service, timestamp: timestamp, ecu: address,
                kwpStatus: kwpStatuses?[index])
            records.append(record)
            recordsKept += 1
            if limits.keepsDTCRecordsInECUReports {
                reports[report].dtcs.append(record)
                continue
            }
            while distinctInReports.count <= report { distinctInReports.append([]) }
            let key = DistinctRecord(dtc: dtc, kwpStatus: record.kwpStatus?.rawValue)
            if distinctInReports[report].contains(key) { continue }
            if distinctInReports[report].count < limits.distinctDTCRecordsPerECU {
                distinctInReports[report].insert(key)
                reports[report].dtcs.append(record)
            } else {
                distinctRecordsLeftOut += 1
            }
        }
    }

    private mutating func recordNegative(
        _ address: ECUAddress, serviceID: UInt8, code: NegativeResponseCode, at time: Duration?
    ) {
        let kept = limits.negativeResponsesKeptPerECU
        withReport(address) { report in
            guard report.negativeResponses.count < kept else { return }
            report.negativeResponses.append(
                NegativeResponseRecord(
                    serviceID: serviceID, code: code.rawValue, name: code.name ?? Hex.string(code.rawValue, digits: 2),
                    timestamp: time))
        }
    }

    private mutating func noteUndecodable(_ address: ECUAddress) {
        undecodable += 1
        withReport(address) { $0.undecodableMessages += 1 }
    }

    private mutating func withReport(_ address: ECUAddress, _ change: (inout ECUReport) -> Void) {
        change(&reports[index(of: address)])
    }

    /// The profile's name for the ECU at `address`, as its report has it: for records taken with
    /// ``takeDTCRecords()``, without searching the profile for each one.
    public func ecuName(at address: ECUAddress) -> String? {
        if let lastReport, lastReport.address == address { return reports[lastReport.index].name }
        if let index = reportIndex[address] { return reports[index].name }
        return profile.ecu(at: address)?.name
    }

    /// Where the report of the ECU at `address` is in `reports`, made when the ECU is new.
    private mutating func index(of address: ECUAddress) -> Int {
        if let lastReport, lastReport.address == address { return lastReport.index }
        let index: Int
        if let known = reportIndex[address] {
            index = known
        } else {
            let descriptor = profile.ecu(at: address)
            index = reports.count
            reports.append(ECUReport(address: address, name: descriptor?.name, role: descriptor?.role ?? .other))
            reportIndex[address] = index
        }
        lastReport = (address, index)
        return index
    }

    /// The DTC records decoded since the last call, in input order; they are no longer part of ``report(summary:busFaultSeen:)``.
    /// For streaming output: with `keepsDTCRecordsInECUReports` off, memory stays bounded whatever the log's size.
    public mutating func takeDTCRecords() -> [DTCRecord] {
        var taken: [DTCRecord] = []
        swap(&taken, &records)
        return taken
    }

    /// The report so far. Requests still open count as unanswered.
    public func report(summary: DecodeSummary = DecodeSummary(), busFaultSeen: Bool = false) -> DiagnosticReport {
        var reports = reports
        for (address, open) in pending where !open.suppressesPositiveResponse {
            if let index = reportIndex[address] { reports[index].unansweredRequests += 1 }
        }
        let ordered = reports.sorted { $0.address < $1.address }
        var summary = summary
        summary.messages = messages
        summary.undecodableMessages = undecodable
        summary.responsesWithoutRequest = responsesWithoutRequest
        summary.dtcRecordsDropped = dtcRecordsDropped
        let dcm = ordered.first { $0.role == .dcm }.map { DCMStatusReport(report: $0, busFaultSeen: busFaultSeen) }
        return DiagnosticReport(ecus: ordered, dtcs: records, dcmStatus: dcm, summary: summary)
    }
}
