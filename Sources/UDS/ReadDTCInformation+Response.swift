public import DTC

extension ReadDTCInformation {
    /// One DTC of a 0x19 response with whatever its report type attaches to it.
    public struct DTCRecord: Hashable, Sendable {
        /// The DTC; its status is set when the report carries one (all but 0x03 and 0x14).
        public var dtc: DiagnosticTroubleCode
        /// DTCSeverity (0x08, 0x09, 0x42).
        public var severity: DTCSeverity?
        /// DTCFunctionalUnit (0x08, 0x09).
        public var functionalUnit: UInt8?
        /// DTCFaultDetectionCounter (0x14): 0x01-0x7E prefailed, 0x7F failed.
        public var faultDetectionCounter: UInt8?
        /// The snapshot record number the DTC has (0x03).
        public var snapshotRecordNumber: UInt8?
        /// Snapshot or stored data records (0x04, 0x05, 0x18).
        public var snapshots: [SnapshotRecord]
        /// Extended data records (0x06, 0x10, 0x16, 0x19).
        public var extendedData: [ExtendedDataRecord]

        /// Creates a record.
        public init(
            _ dtc: DiagnosticTroubleCode, severity: DTCSeverity? = nil, functionalUnit: UInt8? = nil,
            faultDetectionCounter: UInt8? = nil, snapshotRecordNumber: UInt8? = nil, snapshots: [SnapshotRecord] = [],
            extendedData: [ExtendedDataRecord] = []
        ) {
            self.dtc = dtc
            self.severity = severity
            self.functionalUnit = functionalUnit
            self.faultDetectionCounter = faultDetectionCounter
            self.snapshotRecordNumber = snapshotRecordNumber
            self.snapshots = snapshots
            self.extendedData = extendedData
        }
    }

    /// A snapshot (freeze frame) or stored data record: a record number, the number of identifiers, and
    /// `DID data` pairs decoded with the known DID lengths; the first unknown DID takes the rest.
    public struct SnapshotRecord: Hashable, Sendable {
        /// DTCSnapshotRecordNumber or DTCStoredDataRecordNumber.
        public var recordNumber: UInt8
        /// The count the server sent (0 means "more than 255 / not stated").
        public var numberOfIdentifiers: UInt8
        /// The decoded identifiers with their data.
        public var dataRecords: [DataRecord]

        /// Creates a record; the identifier count defaults to the number of data records.
        public init(recordNumber: UInt8, dataRecords: [DataRecord], numberOfIdentifiers: UInt8? = nil) {
            self.recordNumber = recordNumber
            self.dataRecords = dataRecords
            self.numberOfIdentifiers = numberOfIdentifiers ?? UInt8(clamping: dataRecords.count)
        }
    }

    /// An extended data record: its number and data bytes. Without a known length
    /// (``UDSDecodingOptions/extendedDataRecordLengths``) the data is the rest of the message.
    public struct ExtendedDataRecord: Hashable, Sendable {
        /// DTCExtDataRecordNumber.
        public var recordNumber: UInt8
        /// The data.
        public var data: ArraySlice<UInt8>
        /// True when the length was unknown, so ``data`` runs to the end and may hold further records.
        public var isRemainderOfMessage: Bool

        /// Creates a record.
        public init(recordNumber: UInt8, data: [UInt8], isRemainderOfMessage: Bool = false) {
            self.recordNumber = recordNumber
            self.data = data[...]
            self.isRemainderOfMessage = isRemainderOfMessage
        }

        init(recordNumber: UInt8, slice: ArraySlice<UInt8>, isRemainderOfMessage: Bool) {
            self.recordNumber = recordNumber
            self.data = slice
            self.isRemainderOfMessage = isRemainderOfMessage
        }
    }

    /// A positive 0x19 response (`59 <report type> ...`): the header fields the report type has (nil for the
    /// others) and the DTC records.
    public struct Response: Hashable, Sendable {
        /// The report type echoed.
        public var reportType: ReportType
        /// MemorySelection (0x17-0x19).
        public var memorySelection: UInt8?
        /// FunctionalGroupIdentifier (0x42, 0x55, 0x56).
        public var functionalGroup: UInt8?
        /// DTCStatusAvailabilityMask: the status bits the server supports.
        public var statusAvailabilityMask: DTCStatus?
        /// DTCSeverityAvailabilityMask (0x42).
        public var severityAvailabilityMask: DTCSeverity?
        /// DTCFormatIdentifier (count reports, 0x42, 0x55, 0x56).
        public var formatIdentifier: DTCFormatIdentifier?
        /// DTCReadinessGroupIdentifier (0x56).
        public var readinessGroup: UInt8?
        /// The extended data record number (0x16, 0x1A), or the stored data record number of an empty 0x05
        /// answer.
        public var recordNumber: UInt8?
        /// DTCCount (0x01, 0x07, 0x11, 0x12).
        public var numberOfDTC: UInt16?
        /// The DTCs, in order.
        public var records: [DTCRecord]
        /// Bytes of a report type this codec does not know.
        public var unknownData: ArraySlice<UInt8>

        /// Creates a response from its parts; ``bytes`` writes the fields the report type's layout has.
        public init(
            _ reportType: ReportType, statusAvailabilityMask: DTCStatus? = nil, records: [DTCRecord] = [],
            numberOfDTC: UInt16? = nil, formatIdentifier: DTCFormatIdentifier? = nil, memorySelection: UInt8? = nil,
            functionalGroup: UInt8? = nil, severityAvailabilityMask: DTCSeverity? = nil, readinessGroup: UInt8? = nil,
            recordNumber: UInt8? = nil, unknownData: [UInt8] = []
        ) {
            self.reportType = reportType
            self.statusAvailabilityMask = statusAvailabilityMask
            self.records = records
            self.numberOfDTC = numberOfDTC
            self.formatIdentifier = formatIdentifier
            self.memorySelection = memorySelection
            self.functionalGroup = functionalGroup
            self.severityAvailabilityMask = severityAvailabilityMask
            self.readinessGroup = readinessGroup
            self.recordNumber = recordNumber
            self.unknownData = unknownData[...]
        }

        /// A 0x02-style list: `59 02 <mask> {DTC status}...`.
        public static func dtcList(
            _ dtcs: [DiagnosticTroubleCode], statusAvailabilityMask: DTCStatus = DTCStatus(rawValue: 0xFF),
            reportType: ReportType = .reportDTCByStatusMask
        ) -> Response {
            Response(reportType, statusAvailabilityMask: statusAvailabilityMask, records: dtcs.map { DTCRecord($0) })
        }

        /// A 0x01-style count: `59 01 <mask> <format> <count hi lo>`.
        public static func count(
            _ count: UInt16, statusAvailabilityMask: DTCStatus = DTCStatus(rawValue: 0xFF),
            formatIdentifier: DTCFormatIdentifier = .iso14229Format, reportType: ReportType = .reportNumberOfDTCByStatusMask
        ) -> Response {
            Response(reportType, statusAvailabilityMask: statusAvailabilityMask, numberOfDTC: count,
                formatIdentifier: formatIdentifier)
        }

        /// Every DTC in the response, with status where the report has one.
        public var dtcs: [DiagnosticTroubleCode] { records.map(\.dtc) }

        /// The response bytes.
        public var bytes: [UInt8] {
            var bytes = [UDSServiceID.readDTCInformation.positiveResponseByte, reportType.rawValue]
            let mask = statusAvailabilityMask?.rawValue ?? 0xFF
            let format = formatIdentifier?.rawValue ?? DTCFormatIdentifier.iso14229Format.rawValue
            func appendStatusList() { for record in records { bytes.appendUDS(record.dtc, withStatus: true) } }
            func appendSnapshots(_ snapshots: [SnapshotRecord]) {
                for snapshot in snapshots {
                    bytes += [snapshot.recordNumber, snapshot.numberOfIdentifiers]
                    for data in snapshot.dataRecords {
                        bytes.appendUInt16(data.identifier.rawValue)
                        bytes += data.data
                    }
                }
            }
            switch reportType.responseLayout {
            case nil: bytes += unknownData
            case .count:
                bytes += [mask, format]
                bytes.appendUInt16(numberOfDTC ?? 0)
            case .statusList:
                bytes.append(mask)
                appendStatusList()
            case .snapshotIdentification:
                for record in records {
                    bytes.appendUDS(record.dtc, withStatus: false)
                    bytes.append(record.snapshotRecordNumber ?? 0)
                }
            case .snapshotsOfDTC(let hasMemorySelection):
                if hasMemorySelection { bytes.append(memorySelection ?? 0) }
                if let record = records.first {
                    bytes.appendUDS(record.dtc, withStatus: true)
                    appendSnapshots(record.snapshots)
                }
            case .storedData:
                if records.isEmpty, let recordNumber { bytes.append(recordNumber) }
                for record in records {
                    for snapshot in record.snapshots {
                        bytes.append(snapshot.recordNumber)
                        bytes.appendUDS(record.dtc, withStatus: true)
                        bytes.append(snapshot.numberOfIdentifiers)
                        for data in snapshot.dataRecords {
                            bytes.appendUInt16(data.identifier.rawValue)
                            bytes += data.data
                        }
                    }
                }
            case .extendedDataOfDTC(let hasMemorySelection):
                if hasMemorySelection { bytes.append(memorySelection ?? 0) }
                if let record = records.first {
                    bytes.appendUDS(record.dtc, withStatus: true)
                    for data in record.extendedData { bytes += [data.recordNumber] + data.data }
                }
            case .severityList:
                bytes.append(mask)
                for record in records {
                    bytes += [record.severity?.rawValue ?? 0, record.functionalUnit ?? 0]
                    bytes.appendUDS(record.dtc, withStatus: true)
                }
            case .faultDetectionCounters:
                for record in records {
                    bytes.appendUDS(record.dtc, withStatus: false)
                    bytes.append(record.faultDetectionCounter ?? 0)
                }
            case .extendedDataByRecordNumber:
                bytes.append(recordNumber ?? 0)
                for record in records {
                    bytes.appendUDS(record.dtc, withStatus: true)
                    for data in record.extendedData { bytes += data.data }
                }
            case .userMemoryStatusList:
                bytes += [memorySelection ?? 0, mask]
                appendStatusList()
            case .supportedExtendedData:
                bytes.append(mask)
                if let recordNumber { bytes.append(recordNumber) }
                appendStatusList()
            case .wwhOBDSeverityList:
                bytes += [functionalGroup ?? 0, mask, severityAvailabilityMask?.rawValue ?? 0xFF, format]
                for record in records {
                    bytes.append(record.severity?.rawValue ?? 0)
                    bytes.appendUDS(record.dtc, withStatus: true)
                }
            case .wwhOBDStatusList:
                bytes += [functionalGroup ?? 0, mask, format]
                appendStatusList()
            case .readinessGroupStatusList:
                bytes += [functionalGroup ?? 0, mask, format, readinessGroup ?? 0]
                appendStatusList()
            }
            return bytes
        }

        init(from cursor: inout UDSCursor, options: UDSDecodingOptions) throws(UDSError) {
            self.init(ReportType(try cursor.byte("report type")))
            guard let layout = reportType.responseLayout else {
                unknownData = cursor.rest()
                return
            }
            switch layout {
            case .count:
                statusAvailabilityMask = DTCStatus(rawValue: try cursor.byte("DTC status availability mask"))
                formatIdentifier = DTCFormatIdentifier(rawValue: try cursor.byte("DTC format identifier"))
                numberOfDTC = try cursor.uint16("DTC count")
            case .statusList:
                statusAvailabilityMask = DTCStatus(rawValue: try cursor.byte("DTC status availability mask"))
                records = try Self.statusRecords(&cursor)
            case .snapshotIdentification:
                try Self.checkRecordSize(cursor, 4, "DTC snapshot identification")
                while !cursor.isAtEnd {
                    let dtc = try cursor.dtc()
                    records.append(DTCRecord(dtc, snapshotRecordNumber: try cursor.byte("snapshot record number")))
                }
            case .snapshotsOfDTC(let hasMemorySelection):
                if hasMemorySelection { memorySelection = try cursor.byte("memory selection") }
                var record = DTCRecord(try cursor.dtcAndStatus())
                while !cursor.isAtEnd {
                    let number = try cursor.byte("snapshot record number")
                    let snapshot = try Self.snapshot(number: number, from: &cursor, options: options)
                    record.snapshots.append(snapshot)
                }
                records = [record]
            case .storedData:
                while !cursor.isAtEnd {
                    let number = try cursor.byte("stored data record number")
                    // An empty record is answered with its number alone (ISO 14229-1:2020 §11.3.2.5).
                    if cursor.isAtEnd && records.isEmpty {
                        recordNumber = number
                        break
                    }
                    var record = DTCRecord(try cursor.dtcAndStatus())
                    record.snapshots = [try Self.snapshot(number: number, from: &cursor, options: options)]
                    records.append(record)
                }
            case .extendedDataOfDTC(let hasMemorySelection):
                if hasMemorySelection { memorySelection = try cursor.byte("memory selection") }
                var record = DTCRecord(try cursor.dtcAndStatus())
                while !cursor.isAtEnd {
                    let number = try cursor.byte("extended data record number")
                    record.extendedData.append(Self.extendedData(number: number, from: &cursor, options: options))
                    if record.extendedData.last?.isRemainderOfMessage == true { break }
                }
                records = [record]
            case .severityList:
                statusAvailabilityMask = DTCStatus(rawValue: try cursor.byte("DTC status availability mask"))
                try Self.checkRecordSize(cursor, 6, "DTC severity record")
                while !cursor.isAtEnd {
                    let severity = DTCSeverity(rawValue: try cursor.byte("DTC severity"))
                    let unit = try cursor.byte("DTC functional unit")
                    records.append(DTCRecord(try cursor.dtcAndStatus(), severity: severity, functionalUnit: unit))
                }
            case .faultDetectionCounters:
                try Self.checkRecordSize(cursor, 4, "DTC fault detection counter record")
                while !cursor.isAtEnd {
                    let dtc = try cursor.dtc()
                    records.append(DTCRecord(dtc, faultDetectionCounter: try cursor.byte("fault detection counter")))
                }
            case .extendedDataByRecordNumber:
                let number = try cursor.byte("extended data record number")
                recordNumber = number
                while !cursor.isAtEnd {
                    var record = DTCRecord(try cursor.dtcAndStatus())
                    let data = Self.extendedData(number: number, from: &cursor, options: options)
                    record.extendedData = [data]
                    records.append(record)
                }
            case .userMemoryStatusList:
                memorySelection = try cursor.byte("memory selection")
                statusAvailabilityMask = DTCStatus(rawValue: try cursor.byte("DTC status availability mask"))
                records = try Self.statusRecords(&cursor)
            case .supportedExtendedData:
                statusAvailabilityMask = DTCStatus(rawValue: try cursor.byte("DTC status availability mask"))
                if !cursor.isAtEnd { recordNumber = try cursor.byte("extended data record number") }
                records = try Self.statusRecords(&cursor)
            case .wwhOBDSeverityList:
                functionalGroup = try cursor.byte("functional group identifier")
                statusAvailabilityMask = DTCStatus(rawValue: try cursor.byte("DTC status availability mask"))
                severityAvailabilityMask = DTCSeverity(rawValue: try cursor.byte("DTC severity availability mask"))
                formatIdentifier = DTCFormatIdentifier(rawValue: try cursor.byte("DTC format identifier"))
                try Self.checkRecordSize(cursor, 5, "DTC severity record")
                while !cursor.isAtEnd {
                    let severity = DTCSeverity(rawValue: try cursor.byte("DTC severity"))
                    records.append(DTCRecord(try cursor.dtcAndStatus(), severity: severity))
                }
            case .wwhOBDStatusList:
                functionalGroup = try cursor.byte("functional group identifier")
                statusAvailabilityMask = DTCStatus(rawValue: try cursor.byte("DTC status availability mask"))
                formatIdentifier = DTCFormatIdentifier(rawValue: try cursor.byte("DTC format identifier"))
                records = try Self.statusRecords(&cursor)
            case .readinessGroupStatusList:
                functionalGroup = try cursor.byte("functional group identifier")
                statusAvailabilityMask = DTCStatus(rawValue: try cursor.byte("DTC status availability mask"))
                formatIdentifier = DTCFormatIdentifier(rawValue: try cursor.byte("DTC format identifier"))
                readinessGroup = try cursor.byte("DTC readiness group identifier")
                records = try Self.statusRecords(&cursor)
            }
        }

        /// Rejects a list whose length is not a whole number of records, naming where the partial one starts.
        static func checkRecordSize(_ cursor: UDSCursor, _ size: Int, _ what: String) throws(UDSError) {
            let partial = cursor.remainingCount % size
            guard partial == 0 else {
                throw cursor.error(
                    .lengthMismatch, "\(cursor.remainingCount) bytes is not a whole number of \(size)-byte \(what)s",
                    at: cursor.payload.count - partial)
            }
        }

        static func statusRecords(_ cursor: inout UDSCursor) throws(UDSError) -> [DTCRecord] {
            try checkRecordSize(cursor, 4, "DTC and status record")
            var records: [DTCRecord] = []
            records.reserveCapacity(cursor.remainingCount / 4)
            while !cursor.isAtEnd { records.append(DTCRecord(try cursor.dtcAndStatus())) }
            return records
        }

        static func snapshot(number: UInt8, from cursor: inout UDSCursor, options: UDSDecodingOptions) throws(UDSError)
            -> SnapshotRecord
        {
            let count = try cursor.byte("number of identifiers")
            var dataRecords: [DataRecord] = []
            // A count of 0 means "not stated": read identifiers until the message ends.
            while count == 0 ? !cursor.isAtEnd : dataRecords.count < Int(count) {
                let data = try DataRecord.read(from: &cursor, options: options)
                dataRecords.append(data)
                if data.isRemainderOfMessage { break }
            }
            return SnapshotRecord(recordNumber: number, dataRecords: dataRecords, numberOfIdentifiers: count)
        }

        static func extendedData(number: UInt8, from cursor: inout UDSCursor, options: UDSDecodingOptions)
            -> ExtendedDataRecord
        {
            if let length = options.extendedDataLength(of: number), length <= cursor.remainingCount,
                let data = try? cursor.bytes(length, "extended data")
            {
                return ExtendedDataRecord(recordNumber: number, slice: data, isRemainderOfMessage: false)
            }
            return ExtendedDataRecord(recordNumber: number, slice: cursor.rest(), isRemainderOfMessage: true)
        }

        var fields: [(name: String, value: String)] {
            var fields: [(name: String, value: String)] = [("report type", reportType.description)]
            if let memorySelection { fields.append(("memory selection", PayloadText.hex(memorySelection))) }
            if let functionalGroup { fields.append(("functional group", PayloadText.hex(functionalGroup))) }
            if let statusAvailabilityMask {
                fields.append(("status availability mask", PayloadText.hex(statusAvailabilityMask.rawValue)))
            }
            if let severityAvailabilityMask {
                fields.append(("severity availability mask", severityAvailabilityMask.description))
            }
            if let formatIdentifier { fields.append(("DTC format", formatIdentifier.description)) }
            if let readinessGroup { fields.append(("readiness group", PayloadText.hex(readinessGroup))) }
            if let recordNumber { fields.append(("record number", PayloadText.hex(recordNumber))) }
            if let numberOfDTC { fields.append(("number of DTCs", String(numberOfDTC))) }
            if numberOfDTC == nil, reportType.responseLayout != nil { fields.append(("DTCs", String(records.count))) }
            for (index, record) in records.enumerated() {
                var value = PayloadText.describe(record.dtc)
                if let severity = record.severity { value += ", severity \(severity)" }
                if let unit = record.functionalUnit { value += ", functional unit \(PayloadText.hex(unit))" }
                if let counter = record.faultDetectionCounter {
                    value += ", fault detection counter \(PayloadText.hex(counter))"
                }
                if let number = record.snapshotRecordNumber { value += ", snapshot record \(PayloadText.hex(number))" }
                fields.append(("DTC \(index + 1)", value))
                for snapshot in record.snapshots {
                    fields.append((
                        "  snapshot \(PayloadText.hex(snapshot.recordNumber))",
                        "\(snapshot.numberOfIdentifiers) identifier(s)"
                    ))
                    for data in snapshot.dataRecords { fields.append(("    \(data.identifier)", data.displayValue)) }
                }
                for data in record.extendedData {
                    var value = PayloadText.spaced(data.data)
                    if data.isRemainderOfMessage { value += " (length unknown: rest of message)" }
                    fields.append(("  extended data \(PayloadText.hex(data.recordNumber))", value))
                }
            }
            if !unknownData.isEmpty { fields.append(("data", PayloadText.spaced(unknownData))) }
            return fields
        }
    }
}
