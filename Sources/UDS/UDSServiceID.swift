import DTC

/// An ISO 14229-1:2020 service identifier, the first byte of a request (Table 23). Positive responses
/// carry the identifier plus 0x40; a negative response starts with ``negativeResponse`` (0x7F).
///
/// An open code space: any byte is representable, and unnamed values print as hex.
public struct UDSServiceID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The request service identifier.
    public let rawValue: UInt8
    /// Wraps a byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Wraps a byte.
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    /// 0x10 DiagnosticSessionControl.
    public static let diagnosticSessionControl = UDSServiceID(0x10)
    /// 0x11 ECUReset.
    public static let ecuReset = UDSServiceID(0x11)
    /// 0x14 ClearDiagnosticInformation.
    public static let clearDiagnosticInformation = UDSServiceID(0x14)
    /// 0x19 ReadDTCInformation.
    public static let readDTCInformation = UDSServiceID(0x19)
    /// 0x22 ReadDataByIdentifier.
    public static let readDataByIdentifier = UDSServiceID(0x22)
    /// 0x23 ReadMemoryByAddress.
    public static let readMemoryByAddress = UDSServiceID(0x23)
    /// 0x24 ReadScalingDataByIdentifier.
    public static let readScalingDataByIdentifier = UDSServiceID(0x24)
    /// 0x27 SecurityAccess.
    public static let securityAccess = UDSServiceID(0x27)
    /// 0x28 CommunicationControl.
    public static let communicationControl = UDSServiceID(0x28)
    /// 0x29 Authentication.
    public static let authentication = UDSServiceID(0x29)
    /// 0x2A ReadDataByPeriodicIdentifier.
    public static let readDataByPeriodicIdentifier = UDSServiceID(0x2A)
    /// 0x2C DynamicallyDefineDataIdentifier.
    public static let dynamicallyDefineDataIdentifier = UDSServiceID(0x2C)
    /// 0x2E WriteDataByIdentifier.
    public static let writeDataByIdentifier = UDSServiceID(0x2E)
    /// 0x2F InputOutputControlByIdentifier.
    public static let inputOutputControlByIdentifier = UDSServiceID(0x2F)
    /// 0x31 RoutineControl.
    public static let routineControl = UDSServiceID(0x31)
    /// 0x34 RequestDownload.
    public static let requestDownload = UDSServiceID(0x34)
    /// 0x35 RequestUpload.
    public static let requestUpload = UDSServiceID(0x35)
    /// 0x36 TransferData.
    public static let transferData = UDSServiceID(0x36)
    /// 0x37 RequestTransferExit.
    public static let requestTransferExit = UDSServiceID(0x37)
    /// 0x38 RequestFileTransfer.
    public static let requestFileTransfer = UDSServiceID(0x38)
    /// 0x3D WriteMemoryByAddress.
    public static let writeMemoryByAddress = UDSServiceID(0x3D)
    /// 0x3E TesterPresent.
    public static let testerPresent = UDSServiceID(0x3E)
    /// 0x83 AccessTimingParameter (ISO 14229-1:2013; withdrawn in 2020).
    public static let accessTimingParameter = UDSServiceID(0x83)
    /// 0x84 SecuredDataTransmission.
    public static let securedDataTransmission = UDSServiceID(0x84)
    /// 0x85 ControlDTCSetting.
    public static let controlDTCSetting = UDSServiceID(0x85)
    /// 0x86 ResponseOnEvent.
    public static let responseOnEvent = UDSServiceID(0x86)
    /// 0x87 LinkControl.
    public static let linkControl = UDSServiceID(0x87)

    /// The first byte of every negative response.
    public static let negativeResponse: UInt8 = 0x7F

    /// The ISO 14229 name, or nil for an unassigned value.
    public var name: String? { Self.names[rawValue] }

    /// The first byte of this service's positive response (request + 0x40).
    public var positiveResponseByte: UInt8 { rawValue &+ 0x40 }

    /// True for a response identifier (0x40-0x7F, 0xC0-0xFF): bit 6 set (ISO 14229-1 §8.2, SID ranges).
    public static func isResponse(_ byte: UInt8) -> Bool { byte & 0x40 != 0 }

    /// Services that change the vehicle (unlock, write, run routines, reprogram, drive outputs). CarDiag
    /// decodes them when it sees them in a log but never builds a request for them: this is the one list.
    /// A later issue decides which services a live session may send.
    public static let vehicleChangingNotSent: Set<UDSServiceID> = [
        .securityAccess, .writeDataByIdentifier, .inputOutputControlByIdentifier, .routineControl,
        .requestDownload, .requestUpload, .transferData, .requestTransferExit, .requestFileTransfer,
        .writeMemoryByAddress, .authentication, .dynamicallyDefineDataIdentifier,
    ]

    /// True when the service is in ``vehicleChangingNotSent``.
    public var isVehicleChangingNotSent: Bool { Self.vehicleChangingNotSent.contains(self) }

    /// `ReadDTCInformation (0x19)`, or `0xA5` for an unassigned value.
    public var description: String {
        let hex = PayloadText.hex(rawValue)
        return name.map { "\($0) (\(hex))" } ?? hex
    }

    public static func < (lhs: UDSServiceID, rhs: UDSServiceID) -> Bool { lhs.rawValue < rhs.rawValue }

    static let names: [UInt8: String] = [
        0x10: "DiagnosticSessionControl", 0x11: "ECUReset", 0x14: "ClearDiagnosticInformation",
        0x19: "ReadDTCInformation", 0x22: "ReadDataByIdentifier", 0x23: "ReadMemoryByAddress",
        0x24: "ReadScalingDataByIdentifier", 0x27: "SecurityAccess", 0x28: "CommunicationControl",
        0x29: "Authentication", 0x2A: "ReadDataByPeriodicIdentifier", 0x2C: "DynamicallyDefineDataIdentifier",
        0x2E: "WriteDataByIdentifier", 0x2F: "InputOutputControlByIdentifier", 0x31: "RoutineControl",
        0x34: "RequestDownload", 0x35: "RequestUpload", 0x36: "TransferData", 0x37: "RequestTransferExit",
        0x38: "RequestFileTransfer", 0x3D: "WriteMemoryByAddress", 0x3E: "TesterPresent",
        0x83: "AccessTimingParameter", 0x84: "SecuredDataTransmission", 0x85: "ControlDTCSetting",
        0x86: "ResponseOnEvent", 0x87: "LinkControl",
    ]
}
