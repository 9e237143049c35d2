import DTC

/// A two-byte UDS data identifier (DID), the key of ReadDataByIdentifier, WriteDataByIdentifier and of
/// snapshot records. ISO 14229-1:2020 Annex C.1 standardises 0xF180-0xF19F (ECU identification); the rest
/// belongs to the manufacturer or other standards and prints as hex.
public struct DataIdentifier: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The identifier.
    public let rawValue: UInt16
    /// Wraps a value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Wraps a value.
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// 0xF180 bootSoftwareIdentification.
    public static let bootSoftwareIdentification = DataIdentifier(0xF180)
    /// 0xF181 applicationSoftwareIdentification.
    public static let applicationSoftwareIdentification = DataIdentifier(0xF181)
    /// 0xF182 applicationDataIdentification.
    public static let applicationDataIdentification = DataIdentifier(0xF182)
    /// 0xF186 activeDiagnosticSession (one byte: the session type).
    public static let activeDiagnosticSession = DataIdentifier(0xF186)
    /// 0xF187 vehicleManufacturerSparePartNumber.
    public static let vehicleManufacturerSparePartNumber = DataIdentifier(0xF187)
    /// 0xF188 vehicleManufacturerECUSoftwareNumber.
    public static let vehicleManufacturerECUSoftwareNumber = DataIdentifier(0xF188)
    /// 0xF189 vehicleManufacturerECUSoftwareVersionNumber.
    public static let vehicleManufacturerECUSoftwareVersionNumber = DataIdentifier(0xF189)
    /// 0xF18A systemSupplierIdentifier.
    public static let systemSupplierIdentifier = DataIdentifier(0xF18A)
    /// 0xF18B ECUManufacturingDate.
    public static let ecuManufacturingDate = DataIdentifier(0xF18B)
    /// 0xF18C ECUSerialNumber.
    public static let ecuSerialNumber = DataIdentifier(0xF18C)
    /// 0xF190 VIN (17 ASCII characters).
    public static let vehicleIdentificationNumber = DataIdentifier(0xF190)
    /// 0xF191 vehicleManufacturerECUHardwareNumber.
    public static let vehicleManufacturerECUHardwareNumber = DataIdentifier(0xF191)
    /// 0xF197 systemNameOrEngineType.
    public static let systemNameOrEngineType = DataIdentifier(0xF197)

    /// The ISO 14229-1 name, or nil outside the named range.
    public var name: String? { Self.names[rawValue] }

    /// True for identification DIDs whose data is ASCII text in practice, so a field list may show it as
    /// text when every byte is printable.
    public var isUsuallyText: Bool {
        (0xF180...0xF19F).contains(rawValue) && !Self.binaryIdentification.contains(rawValue)
    }

    /// `VIN (0xF190)`, or `0x1234`.
    public var description: String {
        let hex = PayloadText.hex(rawValue, width: 4)
        return name.map { "\($0) (\(hex))" } ?? hex
    }

    public static func < (lhs: DataIdentifier, rhs: DataIdentifier) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Identification DIDs that hold numbers, dates or bit fields rather than text.
    static let binaryIdentification: Set<UInt16> = [0xF183, 0xF184, 0xF185, 0xF186, 0xF18B, 0xF18D, 0xF199, 0xF19B,
        0xF19D]

    static let names: [UInt16: String] = [
        0xF180: "bootSoftwareIdentification", 0xF181: "applicationSoftwareIdentification",
        0xF182: "applicationDataIdentification", 0xF183: "bootSoftwareFingerprint",
        0xF184: "applicationSoftwareFingerprint", 0xF185: "applicationDataFingerprint",
        0xF186: "activeDiagnosticSession", 0xF187: "vehicleManufacturerSparePartNumber",
        0xF188: "vehicleManufacturerECUSoftwareNumber", 0xF189: "vehicleManufacturerECUSoftwareVersionNumber",
        0xF18A: "systemSupplierIdentifier", 0xF18B: "ECUManufacturingDate", 0xF18C: "ECUSerialNumber",
        0xF18D: "supportedFunctionalUnits", 0xF18E: "vehicleManufacturerKitAssemblyPartNumber",
        0xF18F: "regulationXSoftwareIdentificationNumbers", 0xF190: "VIN",
        0xF191: "vehicleManufacturerECUHardwareNumber", 0xF192: "systemSupplierECUHardwareNumber",
        0xF193: "systemSupplierECUHardwareVersionNumber", 0xF194: "systemSupplierECUSoftwareNumber",
        0xF195: "systemSupplierECUSoftwareVersionNumber", 0xF196: "exhaustRegulationOrTypeApprovalNumber",
        0xF197: "systemNameOrEngineType", 0xF198: "repairShopCodeOrTesterSerialNumber", 0xF199: "programmingDate",
        0xF19A: "calibrationRepairShopCodeOrCalibrationEquipmentSerialNumber", 0xF19B: "calibrationDate",
        0xF19C: "calibrationEquipmentSoftwareNumber", 0xF19D: "ECUInstallationDate", 0xF19E: "ODXFile",
        0xF19F: "entity",
    ]
}

/// One data identifier with its data, as found in ReadDataByIdentifier responses, WriteDataByIdentifier
/// requests and snapshot records.
public struct DataRecord: Hashable, Sendable {
    /// The identifier.
    public var identifier: DataIdentifier
    /// The data bytes.
    public var data: ArraySlice<UInt8>
    /// True when the identifier's length was not known, so ``data`` runs to the end of the message and may
    /// hold further identifiers that could not be separated.
    public var isRemainderOfMessage: Bool

    /// Creates a record.
    public init(identifier: DataIdentifier, data: ArraySlice<UInt8>, isRemainderOfMessage: Bool = false) {
        self.identifier = identifier
        self.data = data
        self.isRemainderOfMessage = isRemainderOfMessage
    }

    /// The data as text when the identifier usually holds text and every byte is printable ASCII (trailing
    /// 0x00/0xFF/space padding dropped); nil otherwise.
    public var text: String? {
        guard identifier.isUsuallyText, !isRemainderOfMessage else { return nil }
        return PayloadText.printableASCII(data)
    }

    /// The value for a field list: quoted text, or hex bytes.
    var displayValue: String {
        var value = text.map { "\"\($0)\"" } ?? PayloadText.spaced(data)
        if identifier == .activeDiagnosticSession, data.count == 1, let session = data.first {
            value = DiagnosticSessionControl.SessionType(session).description
        }
        if isRemainderOfMessage { value += " (length unknown: rest of message)" }
        return value
    }

    /// Reads `DID data` with the data length from `options`; without one the data is the rest of the message.
    static func read(from cursor: inout UDSCursor, options: UDSDecodingOptions) throws(UDSError) -> DataRecord {
        let identifier = DataIdentifier(try cursor.uint16("data identifier"))
        if let length = options.dataLength(of: identifier) {
            return DataRecord(identifier: identifier, data: try cursor.bytes(length, "data of \(identifier)"))
        }
        return DataRecord(identifier: identifier, data: cursor.rest(), isRemainderOfMessage: true)
    }
}

/// What a UDS decoder cannot learn from the bytes alone: the lengths of data identifiers and extended data
/// records, which ISO 14229 leaves to each ECU's specification. Without a length, the decoder keeps the
/// rest of the message as bytes instead of guessing.
public struct UDSDecodingOptions: Hashable, Sendable {
    /// Data length in bytes per data identifier.
    public var dataIdentifierLengths: [DataIdentifier: Int]
    /// Data length in bytes per DTC extended data record number.
    public var extendedDataRecordLengths: [UInt8: Int]

    /// Creates options; the defaults know the standard fixed-length identifiers (see ``standardLengths``).
    public init(
        dataIdentifierLengths: [DataIdentifier: Int] = UDSDecodingOptions.standardLengths,
        extendedDataRecordLengths: [UInt8: Int] = [:]
    ) {
        self.dataIdentifierLengths = dataIdentifierLengths
        self.extendedDataRecordLengths = extendedDataRecordLengths
    }

    /// The identifiers ISO 14229-1 fixes in length: 0xF186 active session (1 byte) and 0xF190 VIN (17).
    public static let standardLengths: [DataIdentifier: Int] = [.activeDiagnosticSession: 1,
        .vehicleIdentificationNumber: 17]

    func dataLength(of identifier: DataIdentifier) -> Int? {
        dataIdentifierLengths[identifier].flatMap { $0 >= 0 ? $0 : nil }
    }

    func extendedDataLength(of record: UInt8) -> Int? {
        extendedDataRecordLengths[record].flatMap { $0 >= 0 ? $0 : nil }
    }
}
