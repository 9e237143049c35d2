public import DTC

/// Service 0x19 ReadDTCInformation (ISO 14229-1:2020 §11.3): every report type, 0x01-0x1A, 0x42, 0x55 and
/// 0x56. This file holds the report types and the request; the response view is in
/// `ReadDTCInformation+Response.swift`.
///
/// Example: `19 02 FF` asks for every DTC whose status matches mask 0xFF; `59 02 FF 95 C4 00 09` answers
/// B15C4-00 with status 0x09 (testFailed, confirmedDTC).
public enum ReadDTCInformation {
    /// A report type, the sub-function of 0x19 (bits 0-6). Open code space.
    public struct ReportType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The sub-function without the suppress bit.
        public let rawValue: UInt8
        /// Wraps a value; bit 7 is dropped.
        public init(rawValue: UInt8) { self.rawValue = rawValue & 0x7F }
        /// Wraps a value; bit 7 is dropped.
        public init(_ rawValue: UInt8) { self.init(rawValue: rawValue) }

        /// 0x01: number of DTCs matching a status mask.
        public static let reportNumberOfDTCByStatusMask = ReportType(0x01)
        /// 0x02: DTCs and status matching a status mask.
        public static let reportDTCByStatusMask = ReportType(0x02)
        /// 0x03: which DTCs have snapshot records.
        public static let reportDTCSnapshotIdentification = ReportType(0x03)
        /// 0x04: snapshot records of one DTC.
        public static let reportDTCSnapshotRecordByDTCNumber = ReportType(0x04)
        /// 0x05: stored data records by record number.
        public static let reportDTCStoredDataByRecordNumber = ReportType(0x05)
        /// 0x06: extended data records of one DTC.
        public static let reportDTCExtDataRecordByDTCNumber = ReportType(0x06)
        /// 0x07: number of DTCs matching a severity and status mask.
        public static let reportNumberOfDTCBySeverityMaskRecord = ReportType(0x07)
        /// 0x08: DTCs matching a severity and status mask.
        public static let reportDTCBySeverityMaskRecord = ReportType(0x08)
        /// 0x09: severity information of one DTC.
        public static let reportSeverityInformationOfDTC = ReportType(0x09)
        /// 0x0A: every DTC the server supports.
        public static let reportSupportedDTC = ReportType(0x0A)
        /// 0x0B: the first DTC that failed a test.
        public static let reportFirstTestFailedDTC = ReportType(0x0B)
        /// 0x0C: the first confirmed DTC.
        public static let reportFirstConfirmedDTC = ReportType(0x0C)
        /// 0x0D: the most recent DTC that failed a test.
        public static let reportMostRecentTestFailedDTC = ReportType(0x0D)
        /// 0x0E: the most recent confirmed DTC.
        public static let reportMostRecentConfirmedDTC = ReportType(0x0E)
        /// 0x0F: mirror memory DTCs by status mask (ISO 14229-1:2013; withdrawn in 2020).
        public static let reportMirrorMemoryDTCByStatusMask = ReportType(0x0F)
        /// 0x10: mirror memory extended data of one DTC (2013; withdrawn in 2020).
        public static let reportMirrorMemoryDTCExtDataRecordByDTCNumber = ReportType(0x10)
        /// 0x11: number of mirror memory DTCs (2013; withdrawn in 2020).
        public static let reportNumberOfMirrorMemoryDTCByStatusMask = ReportType(0x11)
        /// 0x12: number of emissions-related OBD DTCs (2013; withdrawn in 2020).
        public static let reportNumberOfEmissionsOBDDTCByStatusMask = ReportType(0x12)
        /// 0x13: emissions-related OBD DTCs by status mask (2013; withdrawn in 2020).
        public static let reportEmissionsOBDDTCByStatusMask = ReportType(0x13)
        /// 0x14: fault detection counters of pre-failed DTCs.
        public static let reportDTCFaultDetectionCounter = ReportType(0x14)
        /// 0x15: DTCs with permanent status.
        public static let reportDTCWithPermanentStatus = ReportType(0x15)
        /// 0x16: one extended data record for every DTC that has it.
        public static let reportDTCExtDataRecordByRecordNumber = ReportType(0x16)
        /// 0x17: user-defined memory DTCs by status mask.
        public static let reportUserDefMemoryDTCByStatusMask = ReportType(0x17)
        /// 0x18: user-defined memory snapshot records of one DTC.
        public static let reportUserDefMemoryDTCSnapshotRecordByDTCNumber = ReportType(0x18)
        /// 0x19: user-defined memory extended data of one DTC.
        public static let reportUserDefMemoryDTCExtDataRecordByDTCNumber = ReportType(0x19)
        /// 0x1A: DTCs that support an extended data record.
        public static let reportSupportedDTCExtDataRecord = ReportType(0x1A)
        /// 0x42: WWH-OBD DTCs by functional group, status and severity.
        public static let reportWWHOBDDTCByMaskRecord = ReportType(0x42)
        /// 0x55: WWH-OBD DTCs with permanent status.
        public static let reportWWHOBDDTCWithPermanentStatus = ReportType(0x55)
        /// 0x56: DTCs of a DTC readiness group.
        public static let reportDTCInformationByDTCReadinessGroupIdentifier = ReportType(0x56)

        /// Every report type this codec knows, in order.
        public static let all: [ReportType] = {
            let values: [UInt8] = Array(0x01...0x1A) + [0x42, 0x55, 0x56]
            return values.map { ReportType(rawValue: $0) }
        }()

        /// The ISO 14229 name, or nil.
        public var name: String? { Self.names[rawValue] }

        public var description: String {
            name.map { "\($0) (\(PayloadText.hex(rawValue)))" } ?? PayloadText.hex(rawValue)
        }

        static let names: [UInt8: String] = [
            0x01: "reportNumberOfDTCByStatusMask", 0x02: "reportDTCByStatusMask",
            0x03: "reportDTCSnapshotIdentification", 0x04: "reportDTCSnapshotRecordByDTCNumber",
            0x05: "reportDTCStoredDataByRecordNumber", 0x06: "reportDTCExtDataRecordByDTCNumber",
            0x07: "reportNumberOfDTCBySeverityMaskRecord", 0x08: "reportDTCBySeverityMaskRecord",
            0x09: "reportSeverityInformationOfDTC", 0x0A: "reportSupportedDTC", 0x0B: "reportFirstTestFailedDTC",
            0x0C: "reportFirstConfirmedDTC", 0x0D: "reportMostRecentTestFailedDTC",
            0x0E: "reportMostRecentConfirmedDTC", 0x0F: "reportMirrorMemoryDTCByStatusMask",
            0x10: "reportMirrorMemoryDTCExtDataRecordByDTCNumber", 0x11: "reportNumberOfMirrorMemoryDTCByStatusMask",
            0x12: "reportNumberOfEmissionsOBDDTCByStatusMask", 0x13: "reportEmissionsOBDDTCByStatusMask",
            0x14: "reportDTCFaultDetectionCounter", 0x15: "reportDTCWithPermanentStatus",
            0x16: "reportDTCExtDataRecordByRecordNumber", 0x17: "reportUserDefMemoryDTCByStatusMask",
            0x18: "reportUserDefMemoryDTCSnapshotRecordByDTCNumber",
            0x19: "reportUserDefMemoryDTCExtDataRecordByDTCNumber", 0x1A: "reportSupportedDTCExtDataRecord",
            0x42: "reportWWHOBDDTCByMaskRecord", 0x55: "reportWWHOBDDTCWithPermanentStatus",
            0x56: "reportDTCInformationByDTCReadinessGroupIdentifier",
        ]

        /// The parameters a request of this type carries, or nil for an unknown type.
        var requestLayout: RequestLayout? {
            switch rawValue {
            case 0x03, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x14, 0x15: .noParameters
            case 0x01, 0x02, 0x0F, 0x11, 0x12, 0x13: .statusMask
            case 0x04, 0x06, 0x10: .dtcAndRecordNumber
            case 0x05, 0x16, 0x1A: .recordNumber
            case 0x07, 0x08: .severityAndStatusMask
            case 0x09: .dtc
            case 0x17: .statusMaskAndMemory
            case 0x18, 0x19: .dtcRecordNumberAndMemory
            case 0x42: .functionalGroupStatusAndSeverity
            case 0x55: .functionalGroup
            case 0x56: .functionalGroupAndReadiness
            default: nil
            }
        }

        /// The layout of a positive response of this type, or nil for an unknown type.
        var responseLayout: ResponseLayout? {
            switch rawValue {
            case 0x01, 0x07, 0x11, 0x12: .count
            case 0x02, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x13, 0x15: .statusList
            case 0x03: .snapshotIdentification
            case 0x04: .snapshotsOfDTC(memorySelection: false)
            case 0x18: .snapshotsOfDTC(memorySelection: true)
            case 0x05: .storedData
            case 0x06, 0x10: .extendedDataOfDTC(memorySelection: false)
            case 0x19: .extendedDataOfDTC(memorySelection: true)
            case 0x08, 0x09: .severityList
            case 0x14: .faultDetectionCounters
            case 0x16: .extendedDataByRecordNumber
            case 0x17: .userMemoryStatusList
            case 0x1A: .supportedExtendedData
            case 0x42: .wwhOBDSeverityList
            case 0x55: .wwhOBDStatusList
            case 0x56: .readinessGroupStatusList
            default: nil
            }
        }
    }

    enum RequestLayout: Hashable, Sendable {
        case noParameters, statusMask, dtcAndRecordNumber, recordNumber, severityAndStatusMask, dtc, statusMaskAndMemory
        case dtcRecordNumberAndMemory, functionalGroupStatusAndSeverity, functionalGroup, functionalGroupAndReadiness
    }

    enum ResponseLayout: Hashable, Sendable {
        case count, statusList, snapshotIdentification, storedData, severityList, faultDetectionCounters
        case snapshotsOfDTC(memorySelection: Bool)
        case extendedDataOfDTC(memorySelection: Bool)
        case extendedDataByRecordNumber, userMemoryStatusList, supportedExtendedData
        case wwhOBDSeverityList, wwhOBDStatusList, readinessGroupStatusList
    }

    /// The DTC severity byte (ISO 14229-1:2020 Annex D.3): bits 5-7 the severity, bits 0-4 the WWH-OBD DTC
    /// class.
    public struct DTCSeverity: OptionSet, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        /// Wraps a byte.
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// Bit 5: maintenance only.
        public static let maintenanceOnly = DTCSeverity(rawValue: 0x20)
        /// Bit 6: check at next halt.
        public static let checkAtNextHalt = DTCSeverity(rawValue: 0x40)
        /// Bit 7: check immediately.
        public static let checkImmediately = DTCSeverity(rawValue: 0x80)

        /// `0x40 (checkAtNextHalt)`; DTC class bits print as `DTCClass_n`.
        public var description: String {
            var names: [String] = []
            for bit in 0..<5 where rawValue & (1 << bit) != 0 { names.append("DTCClass_\(bit)") }
            if contains(.maintenanceOnly) { names.append("maintenanceOnly") }
            if contains(.checkAtNextHalt) { names.append("checkAtNextHalt") }
            if contains(.checkImmediately) { names.append("checkImmediately") }
            let hex = PayloadText.hex(rawValue)
            return names.isEmpty ? hex : "\(hex) (\(names.joined(separator: ", ")))"
        }
    }

    /// The DTC format identifier of count and WWH-OBD responses (ISO 14229-1:2020 §11.3.3, Table 286).
    public struct DTCFormatIdentifier: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        /// Wraps a byte.
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// 0x00 SAE_J2012-DA_DTCFormat_00.
        public static let saeJ2012DAFormat00 = DTCFormatIdentifier(rawValue: 0x00)
        /// 0x01 ISO_14229-1_DTCFormat.
        public static let iso14229Format = DTCFormatIdentifier(rawValue: 0x01)
        /// 0x02 SAE_J1939-73_DTCFormat.
        public static let saeJ1939Format = DTCFormatIdentifier(rawValue: 0x02)
        /// 0x03 ISO_11992-4_DTCFormat.
        public static let iso11992Format = DTCFormatIdentifier(rawValue: 0x03)
        /// 0x04 SAE_J2012-DA_DTCFormat_04.
        public static let saeJ2012DAFormat04 = DTCFormatIdentifier(rawValue: 0x04)

        public var description: String {
            let names = ["SAE_J2012-DA_DTCFormat_00", "ISO_14229-1_DTCFormat", "SAE_J1939-73_DTCFormat",
                "ISO_11992-4_DTCFormat", "SAE_J2012-DA_DTCFormat_04"]
            let hex = PayloadText.hex(rawValue)
            return rawValue < names.count ? "\(names[Int(rawValue)]) (\(hex))" : hex
        }
    }

    /// A 0x19 request: the report type and the parameters that type carries (nil for the others).
    public struct Request: Hashable, Sendable {
        /// What to report.
        public var reportType: ReportType
        /// Bit 7 of the sub-function.
        public var suppressPositiveResponse: Bool
        /// DTCStatusMask (0x01, 0x02, 0x07, 0x08, 0x0F, 0x11-0x13, 0x17, 0x42).
        public var statusMask: DTCStatus?
        /// DTCMaskRecord: the DTC asked about (0x04, 0x06, 0x09, 0x10, 0x18, 0x19).
        public var dtc: DiagnosticTroubleCode?
        /// Snapshot, stored data or extended data record number (0x04-0x06, 0x10, 0x16, 0x18, 0x19, 0x1A);
        /// 0xFF asks for all.
        public var recordNumber: UInt8?
        /// DTCSeverityMask (0x07, 0x08, 0x42).
        public var severityMask: DTCSeverity?
        /// MemorySelection: which user-defined memory (0x17-0x19).
        public var memorySelection: UInt8?
        /// FunctionalGroupIdentifier (0x42, 0x55, 0x56); 0x33 is emissions-related systems.
        public var functionalGroup: UInt8?
        /// DTCReadinessGroupIdentifier (0x56).
        public var readinessGroup: UInt8?
        /// Parameter bytes of a report type this codec does not know.
        public var unknownParameters: ArraySlice<UInt8>

        /// Creates a request from its parts; prefer the static builders, which set exactly the parameters the
        /// report type needs. A parameter the type needs but left nil is sent as 0x00.
        public init(
            _ reportType: ReportType, suppressPositiveResponse: Bool = false, statusMask: DTCStatus? = nil,
            dtc: DiagnosticTroubleCode? = nil, recordNumber: UInt8? = nil, severityMask: DTCSeverity? = nil,
            memorySelection: UInt8? = nil, functionalGroup: UInt8? = nil, readinessGroup: UInt8? = nil,
            unknownParameters: [UInt8] = []
        ) {
            self.reportType = reportType
            self.suppressPositiveResponse = suppressPositiveResponse
            self.statusMask = statusMask
            self.dtc = dtc.map { DiagnosticTroubleCode(code: $0.code, failureType: $0.failureType ?? .noSubTypeInformation) }
            self.recordNumber = recordNumber
            self.severityMask = severityMask
            self.memorySelection = memorySelection
            self.functionalGroup = functionalGroup
            self.readinessGroup = readinessGroup
            self.unknownParameters = unknownParameters[...]
        }

        /// 0x01 with a status mask.
        public static func numberOfDTC(byStatusMask mask: DTCStatus) -> Request {
            Request(.reportNumberOfDTCByStatusMask, statusMask: mask)
        }
        /// 0x02 with a status mask: `19 02 FF` reads every DTC whose status has any bit in the mask.
        public static func dtcs(byStatusMask mask: DTCStatus) -> Request { Request(.reportDTCByStatusMask, statusMask: mask) }
        /// 0x03.
        public static let snapshotIdentification = Request(.reportDTCSnapshotIdentification)
        /// 0x04: snapshot record `record` (0xFF: all) of `dtc`.
        public static func snapshotRecords(of dtc: DiagnosticTroubleCode, record: UInt8 = 0xFF) -> Request {
            Request(.reportDTCSnapshotRecordByDTCNumber, dtc: dtc, recordNumber: record)
        }
        /// 0x05: stored data record `record` (0xFF: all).
        public static func storedData(record: UInt8 = 0xFF) -> Request {
            Request(.reportDTCStoredDataByRecordNumber, recordNumber: record)
        }
        /// 0x06: extended data record `record` (0xFF: all, 0xFE: all OBD records) of `dtc`.
        public static func extendedData(of dtc: DiagnosticTroubleCode, record: UInt8 = 0xFF) -> Request {
            Request(.reportDTCExtDataRecordByDTCNumber, dtc: dtc, recordNumber: record)
        }
        /// 0x07.
        public static func numberOfDTC(bySeverity severity: DTCSeverity, status: DTCStatus) -> Request {
            Request(.reportNumberOfDTCBySeverityMaskRecord, statusMask: status, severityMask: severity)
        }
        /// 0x08.
        public static func dtcs(bySeverity severity: DTCSeverity, status: DTCStatus) -> Request {
            Request(.reportDTCBySeverityMaskRecord, statusMask: status, severityMask: severity)
        }
        /// 0x09.
        public static func severityInformation(of dtc: DiagnosticTroubleCode) -> Request {
            Request(.reportSeverityInformationOfDTC, dtc: dtc)
        }
        /// A report type without parameters: 0x03, 0x0A-0x0E, 0x14 or 0x15.
        public static func report(_ reportType: ReportType) -> Request { Request(reportType) }
        /// 0x0F, 0x11, 0x12 or 0x13: another status-mask report type.
        public static func report(_ reportType: ReportType, statusMask: DTCStatus) -> Request {
            Request(reportType, statusMask: statusMask)
        }
        /// 0x10: mirror memory extended data of `dtc`.
        public static func mirrorMemoryExtendedData(of dtc: DiagnosticTroubleCode, record: UInt8 = 0xFF) -> Request {
            Request(.reportMirrorMemoryDTCExtDataRecordByDTCNumber, dtc: dtc, recordNumber: record)
        }
        /// 0x16: extended data record `record` of every DTC.
        public static func extendedData(record: UInt8) -> Request {
            Request(.reportDTCExtDataRecordByRecordNumber, recordNumber: record)
        }
        /// 0x17.
        public static func userMemoryDTCs(byStatusMask mask: DTCStatus, memorySelection: UInt8) -> Request {
            Request(.reportUserDefMemoryDTCByStatusMask, statusMask: mask, memorySelection: memorySelection)
        }
        /// 0x18.
        public static func userMemorySnapshotRecords(
            of dtc: DiagnosticTroubleCode, record: UInt8 = 0xFF, memorySelection: UInt8
        ) -> Request {
            Request(.reportUserDefMemoryDTCSnapshotRecordByDTCNumber, dtc: dtc, recordNumber: record,
                memorySelection: memorySelection)
        }
        /// 0x19.
        public static func userMemoryExtendedData(
            of dtc: DiagnosticTroubleCode, record: UInt8 = 0xFF, memorySelection: UInt8
        ) -> Request {
            Request(.reportUserDefMemoryDTCExtDataRecordByDTCNumber, dtc: dtc, recordNumber: record,
                memorySelection: memorySelection)
        }
        /// 0x1A.
        public static func dtcsSupportingExtendedData(record: UInt8) -> Request {
            Request(.reportSupportedDTCExtDataRecord, recordNumber: record)
        }
        /// 0x42.
        public static func wwhOBDDTCs(functionalGroup: UInt8 = 0x33, status: DTCStatus, severity: DTCSeverity) -> Request {
            Request(.reportWWHOBDDTCByMaskRecord, statusMask: status, severityMask: severity,
                functionalGroup: functionalGroup)
        }
        /// 0x55.
        public static func wwhOBDPermanentDTCs(functionalGroup: UInt8 = 0x33) -> Request {
            Request(.reportWWHOBDDTCWithPermanentStatus, functionalGroup: functionalGroup)
        }
        /// 0x56.
        public static func dtcs(readinessGroup: UInt8, functionalGroup: UInt8 = 0x33) -> Request {
            Request(.reportDTCInformationByDTCReadinessGroupIdentifier, functionalGroup: functionalGroup,
                readinessGroup: readinessGroup)
        }

        /// The request bytes, in the order ISO 14229-1:2020 Table 278 gives for the report type.
        public var bytes: [UInt8] {
            var bytes = [UDSServiceID.readDTCInformation.rawValue, reportType.rawValue | (suppressPositiveResponse ? 0x80 : 0)]
            let status = statusMask?.rawValue ?? 0
            let record = recordNumber ?? 0
            let dtc = dtc ?? DiagnosticTroubleCode(code: DTCCode(rawValue: 0))
            switch reportType.requestLayout {
            case nil: bytes.append(contentsOf: unknownParameters)
            case .noParameters: break
            case .statusMask: bytes.append(status)
            case .dtcAndRecordNumber:
                bytes.appendUDS(dtc, withStatus: false)
                bytes.append(record)
            case .recordNumber: bytes.append(record)
            case .severityAndStatusMask: bytes += [severityMask?.rawValue ?? 0, status]
            case .dtc: bytes.appendUDS(dtc, withStatus: false)
            case .statusMaskAndMemory: bytes += [status, memorySelection ?? 0]
            case .dtcRecordNumberAndMemory:
                bytes.appendUDS(dtc, withStatus: false)
                bytes += [record, memorySelection ?? 0]
            case .functionalGroupStatusAndSeverity: bytes += [functionalGroup ?? 0, status, severityMask?.rawValue ?? 0]
            case .functionalGroup: bytes.append(functionalGroup ?? 0)
            case .functionalGroupAndReadiness: bytes += [functionalGroup ?? 0, readinessGroup ?? 0]
            }
            return bytes
        }

        init(from cursor: inout UDSCursor) throws(UDSError) {
            let subFunction = try cursor.byte("report type")
            self.init(ReportType(subFunction), suppressPositiveResponse: subFunction & 0x80 != 0)
            switch reportType.requestLayout {
            case nil: unknownParameters = cursor.rest()
            case .noParameters: break
            case .statusMask: statusMask = DTCStatus(rawValue: try cursor.byte("DTC status mask"))
            case .dtcAndRecordNumber:
                dtc = try cursor.dtc()
                recordNumber = try cursor.byte("record number")
            case .recordNumber: recordNumber = try cursor.byte("record number")
            case .severityAndStatusMask:
                severityMask = DTCSeverity(rawValue: try cursor.byte("DTC severity mask"))
                statusMask = DTCStatus(rawValue: try cursor.byte("DTC status mask"))
            case .dtc: dtc = try cursor.dtc()
            case .statusMaskAndMemory:
                statusMask = DTCStatus(rawValue: try cursor.byte("DTC status mask"))
                memorySelection = try cursor.byte("memory selection")
            case .dtcRecordNumberAndMemory:
                dtc = try cursor.dtc()
                recordNumber = try cursor.byte("record number")
                memorySelection = try cursor.byte("memory selection")
            case .functionalGroupStatusAndSeverity:
                functionalGroup = try cursor.byte("functional group identifier")
                statusMask = DTCStatus(rawValue: try cursor.byte("DTC status mask"))
                severityMask = DTCSeverity(rawValue: try cursor.byte("DTC severity mask"))
            case .functionalGroup: functionalGroup = try cursor.byte("functional group identifier")
            case .functionalGroupAndReadiness:
                functionalGroup = try cursor.byte("functional group identifier")
                readinessGroup = try cursor.byte("DTC readiness group identifier")
            }
        }

        var fields: [(name: String, value: String)] {
            var fields: [(name: String, value: String)] = [("report type", reportType.description)]
            if let functionalGroup { fields.append(("functional group", PayloadText.hex(functionalGroup))) }
            if let statusMask {
                let names = statusMask.names
                let value = PayloadText.hex(statusMask.rawValue)
                fields.append(("status mask", names.isEmpty ? value : "\(value) (\(names.joined(separator: ", ")))"))
            }
            if let severityMask { fields.append(("severity mask", severityMask.description)) }
            if let dtc { fields.append(("DTC", dtc.hyphenatedText)) }
            if let recordNumber { fields.append(("record number", PayloadText.hex(recordNumber))) }
            if let memorySelection { fields.append(("memory selection", PayloadText.hex(memorySelection))) }
            if let readinessGroup { fields.append(("readiness group", PayloadText.hex(readinessGroup))) }
            if !unknownParameters.isEmpty { fields.append(("parameters", PayloadText.spaced(unknownParameters))) }
            return fields + suppressField(suppressPositiveResponse)
        }
    }
}
