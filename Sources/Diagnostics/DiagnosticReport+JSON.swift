import CANCore
import DTC
import FoundationEssentials

/// The versioned JSON form of a ``DiagnosticReport`` (`cardiag decode --format json`), documented in the
/// module's DocC catalog. Keys are sorted; optional values are written as `null`, never left out.
public struct DiagnosticReportJSON: Encodable {
    /// Bumped on any incompatible change to the document.
    public static let schemaVersion = 1

    let report: DiagnosticReport
    let input: [String: String]
    let advice: (any Encodable)?

    /// A document for `report`. `input` describes where the frames came from (`file`, `format`); `advice`
    /// is embedded under `"triage"` when given (the triage plan's own JSON document).
    public init(report: DiagnosticReport, input: [String: String] = [:], advice: (any Encodable)? = nil) {
        self.report = report
        self.input = input
        self.advice = advice
    }

    enum Key: String, CodingKey {
        case schemaVersion, kind, input, dtcs, ecus, dcmStatus, summary, triage
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(Self.schemaVersion, forKey: .schemaVersion)
        try container.encode("decode", forKey: .kind)
        try container.encode(input, forKey: .input)
        let names = report.ecuNames
        try container.encode(report.dtcs.map { DTCRecordJSON($0, ecuName: names[$0.ecu]) }, forKey: .dtcs)
        try container.encode(report.ecus.map(ECUReportJSON.init), forKey: .ecus)
        try container.encode(report.dcmStatus.map(DCMStatusJSON.init), forKey: .dcmStatus)
        try container.encode(SummaryJSON(report.summary, dtcRecords: report.dtcs.count), forKey: .summary)
        if let advice { try container.encode(AnyEncodable(advice), forKey: .triage) }
    }

    /// The document as pretty-printed JSON text ending in a newline.
    public func text() -> String { Self.encode(self, pretty: true) }

    /// One compact JSON object per DTC record, then one summary object (`"kind": "summary"`): for
    /// `--format jsonl`, where each line stands alone.
    public func lines() -> [String] {
        let names = report.ecuNames
        var lines = report.dtcs.map { Self.line(for: $0, ecuName: names[$0.ecu]) }
        let summary = SummaryJSON(report.summary, dtcRecords: report.dtcs.count)
        lines.append(Self.encode(SummaryLineJSON(summary: summary), pretty: false))
        return lines
    }

    static func encode(_ value: some Encodable, pretty: Bool) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Plain structs of strings, numbers, arrays and nulls always encode.
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + (pretty ? "\n" : "")
    }
}

extension DiagnosticReport {
    /// ECU names by address, for records that carry only the address.
    var ecuNames: [ECUAddress: String] {
        Dictionary(ecus.compactMap { ecu in ecu.name.map { (ecu.address, $0) } }, uniquingKeysWith: { first, _ in first })
    }
}

struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

/// Seconds as a number with microsecond precision, or nil.
func seconds(_ duration: Duration?) -> Double? {
    guard let duration else { return nil }
    let (whole, attoseconds) = duration.components
    return Double(whole) + Double(attoseconds / 1_000_000_000_000) / 1_000_000
}

struct ECUAddressJSON: Encodable {
    let requestId: UInt32
    let responseId: UInt32
    let extendedAddress: UInt8?
    let name: String?

    init(_ address: ECUAddress, name: String?) {
        requestId = address.requestID.value
        responseId = address.responseID.value
        extendedAddress = address.extendedAddress
        self.name = name
    }

    enum Key: String, CodingKey { case requestId, responseId, extendedAddress, name }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(requestId, forKey: .requestId)
        try container.encode(responseId, forKey: .responseId)
        try container.encode(extendedAddress, forKey: .extendedAddress)
        try container.encode(name, forKey: .name)
    }
}

struct DTCRecordJSON: Encodable {
    let record: DTCRecord
    let ecuName: String?

    init(_ record: DTCRecord, ecuName: String?) {
        self.record = record
        self.ecuName = ecuName
    }

    enum Key: String, CodingKey {
        case code, text, failureType, failureTypeName, status, statusBits, state, source, service, timestamp, ecu
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        let dtc = record.dtc
        try container.encode(dtc.code.description, forKey: .code)
        try container.encode(dtc.hyphenatedText, forKey: .text)
        try container.encode(dtc.failureType?.rawValue, forKey: .failureType)
        try container.encode(dtc.failureType?.name, forKey: .failureTypeName)
        try container.encode(dtc.status?.rawValue, forKey: .status)
        try container.encode(dtc.status?.names ?? [], forKey: .statusBits)
        try container.encode(record.state, forKey: .state)
        try container.encode(record.source.rawValue, forKey: .source)
        try container.encode(record.service, forKey: .service)
        try container.encode(seconds(record.timestamp), forKey: .timestamp)
        try container.encode(ECUAddressJSON(record.ecu, name: ecuName), forKey: .ecu)
    }
}

private struct NegativeResponseJSON: Encodable {
    let serviceId: UInt8
    let code: UInt8
    let name: String
    let timestamp: Double?

    init(_ record: NegativeResponseRecord) {
        serviceId = record.serviceID
        code = record.code
        name = record.name
        timestamp = seconds(record.timestamp)
    }

    enum Key: String, CodingKey { case serviceId, code, name, timestamp }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(serviceId, forKey: .serviceId)
        try container.encode(code, forKey: .code)
        try container.encode(name, forKey: .name)
        try container.encode(timestamp, forKey: .timestamp)
    }
}

private struct ECUReportJSON: Encodable {
    let ecu: ECUReport
    init(_ ecu: ECUReport) { self.ecu = ecu }

    enum Key: String, CodingKey {
        case requestId, responseId, extendedAddress, name, role, protocols, servicesRequested, answered,
            identification, activeSession, dtcs, negativeResponses, unansweredRequests, undecodableMessages
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(ecu.address.requestID.value, forKey: .requestId)
        try container.encode(ecu.address.responseID.value, forKey: .responseId)
        try container.encode(ecu.address.extendedAddress, forKey: .extendedAddress)
        try container.encode(ecu.name, forKey: .name)
        try container.encode(ecu.role.rawValue, forKey: .role)
        try container.encode(ecu.protocols.map(\.rawValue).sorted(), forKey: .protocols)
        let services = Dictionary(uniqueKeysWithValues: ecu.servicesRequested.map { (Hex.string($0.key, digits: 2), $0.value) })
        try container.encode(services, forKey: .servicesRequested)
        try container.encode(ecu.answered, forKey: .answered)
        try container.encode(ecu.identification, forKey: .identification)
        try container.encode(ecu.activeSession, forKey: .activeSession)
        try container.encode(ecu.dtcs.map { DTCRecordJSON($0, ecuName: ecu.name) }, forKey: .dtcs)
        try container.encode(ecu.negativeResponses.map(NegativeResponseJSON.init), forKey: .negativeResponses)
        try container.encode(ecu.unansweredRequests, forKey: .unansweredRequests)
        try container.encode(ecu.undecodableMessages, forKey: .undecodableMessages)
    }
}

private struct DCMStatusJSON: Encodable {
    let status: DCMStatusReport
    init(_ status: DCMStatusReport) { self.status = status }

    enum Key: String, CodingKey {
        case verdict, answered, requestsSent, identification, activeSession, dtcsByState, negativeResponses
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(status.verdict.rawValue, forKey: .verdict)
        try container.encode(status.answered, forKey: .answered)
        try container.encode(status.requestsSent, forKey: .requestsSent)
        try container.encode(status.identification, forKey: .identification)
        try container.encode(status.activeSession, forKey: .activeSession)
        try container.encode(status.dtcsByState.mapValues { $0.map(\.hyphenatedText) }, forKey: .dtcsByState)
        try container.encode(status.negativeResponses.map(NegativeResponseJSON.init), forKey: .negativeResponses)
    }
}

struct SummaryJSON: Encodable {
    let frames: Int
    let skippedLines: Int
    let messages: Int
    let undecodableMessages: Int
    let responsesWithoutRequest: Int
    let errorFrames: Int
    let dtcRecords: Int
    let dtcRecordsDropped: Int
    let frameBuckets: [String: Int]

    init(_ summary: DecodeSummary, dtcRecords: Int) {
        frames = summary.frames
        skippedLines = summary.skippedLines
        messages = summary.messages
        undecodableMessages = summary.undecodableMessages
        responsesWithoutRequest = summary.responsesWithoutRequest
        errorFrames = summary.errorFrames
        self.dtcRecords = dtcRecords
        dtcRecordsDropped = summary.dtcRecordsDropped
        frameBuckets = summary.frameBuckets
    }
}

struct TriageLineJSON: Encodable {
    let kind = "triage"
    let schemaVersion = DiagnosticReportJSON.schemaVersion
    let triage: AnyEncodable
}

struct SummaryLineJSON: Encodable {
    let kind = "summary"
    let schemaVersion = DiagnosticReportJSON.schemaVersion
    let summary: SummaryJSON
}
