public import DTC

/// KWP2000 0x18 readDiagnosticTroubleCodesByStatus (ISO 14230-3). Request `18 <status> <group hi lo>`;
/// response `58 <count> {<DTC hi lo> <statusOfDTC>}`.
public enum KWPReadDiagnosticTroubleCodesByStatus {
    /// The KWP2000 statusOfDTC byte. It is **not** the ISO 14229 status byte; ISO 14230-3 puts the storage
    /// state in bits 5-6 and the warning lamp in bit 7. CarDiag keeps the raw byte and does not translate it
    /// into `DTCStatus`.
    public struct Status: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        /// Wraps a byte.
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// Bits 5-6: 0 no DTC detected, 1 not present at time of request (stored), 2 maturing
        /// (intermittent), 3 present at time of request.
        public var storageState: UInt8 { (rawValue >> 5) & 0x3 }
        /// Bit 7: the warning lamp is requested.
        public var isWarningLampOn: Bool { rawValue & 0x80 != 0 }

        public var description: String {
            let states = ["noDTCDetected", "notPresentAtTimeOfRequest", "maturing", "presentAtTimeOfRequest"]
            var text = "\(PayloadText.hex(rawValue)) (\(states[Int(storageState)])"
            if isWarningLampOn { text += ", warning lamp on" }
            return text + ")"
        }
    }

    /// One DTC with its KWP status.
    public struct Record: Hashable, Sendable {
        /// The two-byte code.
        public var code: DTCCode
        /// The KWP statusOfDTC byte.
        public var status: Status

        /// Creates a record.
        public init(_ code: DTCCode, status: Status) {
            self.code = code
            self.status = status
        }
    }

    /// `18 <status> <group hi lo>`.
    public struct Request: Hashable, Sendable {
        /// statusOfDTC: which DTCs to report (0x00 with group 0xFF00 asks for all on many ECUs).
        public var statusOfDTC: UInt8
        /// groupOfDTC: 0xFF00 all groups, 0x0000 powertrain, 0x4000 chassis, 0x8000 body, 0xC000 network.
        public var groupOfDTC: UInt16

        /// Builds a request.
        public init(statusOfDTC: UInt8 = 0x00, groupOfDTC: UInt16 = 0xFF00) {
            self.statusOfDTC = statusOfDTC
            self.groupOfDTC = groupOfDTC
        }

        /// The request bytes.
        public var bytes: [UInt8] {
            [KWPServiceID.readDiagnosticTroubleCodesByStatus.rawValue, statusOfDTC, UInt8(groupOfDTC >> 8),
             UInt8(groupOfDTC & 0xFF)]
        }

        init(from cursor: inout KWPCursor) throws(KWPError) {
            statusOfDTC = try cursor.byte("statusOfDTC")
            groupOfDTC = try cursor.uint16("groupOfDTC")
        }

        var fields: [(name: String, value: String)] {
            [("status of DTC", PayloadText.hex(statusOfDTC)), ("group of DTC", PayloadText.hex(groupOfDTC, width: 4))]
        }
    }

    /// `58 <count> {<DTC hi lo> <status>}`.
    public struct Response: Hashable, Sendable {
        /// The DTCs, in order.
        public var records: [Record]

        /// Creates a response.
        public init(_ records: [Record]) { self.records = records }

        /// The DTCs, without status (the KWP status is in ``records``).
        public var dtcs: [DiagnosticTroubleCode] { records.map { DiagnosticTroubleCode(code: $0.code) } }

        /// The response bytes.
        public var bytes: [UInt8] {
            var bytes = [KWPServiceID.readDiagnosticTroubleCodesByStatus.positiveResponseByte,
                UInt8(clamping: records.count)]
            for record in records { bytes += [record.code.highByte, record.code.lowByte, record.status.rawValue] }
            return bytes
        }

        init(from cursor: inout KWPCursor) throws(KWPError) {
            let count = try cursor.countedRecords(size: 3, "DTC and status record")
            records = []
            records.reserveCapacity(count)
            for _ in 0..<count {
                let code = DTCCode(rawValue: try cursor.uint16("DTC"))
                records.append(Record(code, status: Status(rawValue: try cursor.byte("statusOfDTC"))))
            }
        }

        var fields: [(name: String, value: String)] {
            [("number of DTCs", String(records.count))]
                + records.enumerated().map { ("DTC \($0.offset + 1)", "\($0.element.code) status \($0.element.status)") }
        }
    }
}
