import DTC

/// A KWP2000 service identifier (ISO 14230-3, used on CAN by ISO 15765-3 era ECUs such as older Toyotas).
/// Positive responses carry the identifier plus 0x40; negative responses start with 0x7F. Open code space.
public struct KWPServiceID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The request identifier.
    public let rawValue: UInt8
    /// Wraps a byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Wraps a byte.
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    /// 0x10 startDiagnosticSession.
    public static let startDiagnosticSession = KWPServiceID(0x10)
    /// 0x11 ecuReset.
    public static let ecuReset = KWPServiceID(0x11)
    /// 0x12 readFreezeFrameData.
    public static let readFreezeFrameData = KWPServiceID(0x12)
    /// 0x13 readDiagnosticTroubleCodes.
    public static let readDiagnosticTroubleCodes = KWPServiceID(0x13)
    /// 0x14 clearDiagnosticInformation.
    public static let clearDiagnosticInformation = KWPServiceID(0x14)
    /// 0x17 readStatusOfDiagnosticTroubleCodes.
    public static let readStatusOfDiagnosticTroubleCodes = KWPServiceID(0x17)
    /// 0x18 readDiagnosticTroubleCodesByStatus.
    public static let readDiagnosticTroubleCodesByStatus = KWPServiceID(0x18)
    /// 0x1A readEcuIdentification.
    public static let readECUIdentification = KWPServiceID(0x1A)
    /// 0x21 readDataByLocalIdentifier.
    public static let readDataByLocalIdentifier = KWPServiceID(0x21)
    /// 0x3E testerPresent.
    public static let testerPresent = KWPServiceID(0x3E)

    /// The first byte of every negative response.
    public static let negativeResponse: UInt8 = 0x7F

    /// The ISO 14230-3 name, or nil.
    public var name: String? { Self.names[rawValue] }

    /// The first byte of the positive response.
    public var positiveResponseByte: UInt8 { rawValue &+ 0x40 }

    /// Services that change the vehicle; decoded when seen, never built by CarDiag.
    public static let vehicleChangingNotSent: Set<KWPServiceID> = Set(
        [0x27, 0x2E, 0x2F, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3D].map { KWPServiceID(rawValue: $0) })

    /// `readDiagnosticTroubleCodes (0x13)` or hex.
    public var description: String {
        let hex = PayloadText.hex(rawValue)
        return name.map { "\($0) (\(hex))" } ?? hex
    }

    public static func < (lhs: KWPServiceID, rhs: KWPServiceID) -> Bool { lhs.rawValue < rhs.rawValue }

    static let names: [UInt8: String] = [
        0x10: "startDiagnosticSession", 0x11: "ecuReset", 0x12: "readFreezeFrameData",
        0x13: "readDiagnosticTroubleCodes", 0x14: "clearDiagnosticInformation",
        0x17: "readStatusOfDiagnosticTroubleCodes", 0x18: "readDiagnosticTroubleCodesByStatus",
        0x1A: "readEcuIdentification", 0x20: "stopDiagnosticSession", 0x21: "readDataByLocalIdentifier",
        0x22: "readDataByCommonIdentifier", 0x23: "readMemoryByAddress", 0x26: "setDataRates", 0x27: "securityAccess",
        0x2C: "dynamicallyDefineLocalIdentifier", 0x2E: "writeDataByCommonIdentifier",
        0x2F: "inputOutputControlByCommonIdentifier", 0x30: "inputOutputControlByLocalIdentifier",
        0x31: "startRoutineByLocalIdentifier", 0x32: "stopRoutineByLocalIdentifier",
        0x33: "requestRoutineResultsByLocalIdentifier", 0x34: "requestDownload", 0x35: "requestUpload",
        0x36: "transferData", 0x37: "requestTransferExit", 0x38: "startRoutineByAddress",
        0x39: "stopRoutineByAddress", 0x3A: "requestRoutineResultsByAddress", 0x3B: "writeDataByLocalIdentifier",
        0x3D: "writeMemoryByAddress", 0x3E: "testerPresent", 0x81: "startCommunication", 0x82: "stopCommunication",
        0x83: "accessTimingParameters", 0x85: "controlDTCSetting", 0x86: "responseOnEvent",
    ]
}

/// A KWP2000 negative response code (ISO 14230-3 Table 8; the common codes share their meaning and value
/// with ISO 14229, e.g. 0x78 response pending). Open code space.
public struct KWPResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code byte.
    public let rawValue: UInt8
    /// Wraps a byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Wraps a byte.
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    /// 0x10 generalReject.
    public static let generalReject = KWPResponseCode(0x10)
    /// 0x11 serviceNotSupported.
    public static let serviceNotSupported = KWPResponseCode(0x11)
    /// 0x12 subFunctionNotSupported-invalidFormat.
    public static let subFunctionNotSupportedInvalidFormat = KWPResponseCode(0x12)
    /// 0x21 busy-RepeatRequest.
    public static let busyRepeatRequest = KWPResponseCode(0x21)
    /// 0x22 conditionsNotCorrect or requestSequenceError.
    public static let conditionsNotCorrectOrRequestSequenceError = KWPResponseCode(0x22)
    /// 0x31 requestOutOfRange.
    public static let requestOutOfRange = KWPResponseCode(0x31)
    /// 0x33 securityAccessDenied.
    public static let securityAccessDenied = KWPResponseCode(0x33)
    /// 0x78 requestCorrectlyReceived-ResponsePending.
    public static let responsePending = KWPResponseCode(0x78)
    /// 0x80 serviceNotSupportedInActiveDiagnosticSession.
    public static let serviceNotSupportedInActiveDiagnosticSession = KWPResponseCode(0x80)

    /// The ISO 14230-3 name; manufacturer (0x9A-0xF9) and supplier (0xFA-0xFE) ranges named as such.
    public var name: String? {
        if let name = Self.names[rawValue] { return name }
        switch rawValue {
        case 0x9A...0xF9: return "vehicleManufacturerSpecific"
        case 0xFA...0xFE: return "systemSupplierSpecific"
        default: return nil
        }
    }

    /// True for 0x78: the answer is still coming.
    public var isResponsePending: Bool { rawValue == 0x78 }

    public var description: String {
        let hex = PayloadText.hex(rawValue)
        return name.map { "\($0) (\(hex))" } ?? hex
    }

    static let names: [UInt8: String] = [
        0x10: "generalReject", 0x11: "serviceNotSupported", 0x12: "subFunctionNotSupported-invalidFormat",
        0x21: "busy-RepeatRequest", 0x22: "conditionsNotCorrect or requestSequenceError", 0x23: "routineNotComplete",
        0x31: "requestOutOfRange", 0x33: "securityAccessDenied", 0x35: "invalidKey", 0x36: "exceedNumberOfAttempts",
        0x37: "requiredTimeDelayNotExpired", 0x40: "downloadNotAccepted", 0x41: "improperDownloadType",
        0x42: "can'tDownloadToSpecifiedAddress", 0x43: "can'tDownloadNumberOfBytesRequested",
        0x50: "uploadNotAccepted", 0x51: "improperUploadType", 0x52: "can'tUploadFromSpecifiedAddress",
        0x53: "can'tUploadNumberOfBytesRequested", 0x71: "transferSuspended", 0x72: "transferAborted",
        0x74: "illegalAddressInBlockTransfer", 0x75: "illegalByteCountInBlockTransfer",
        0x76: "illegalBlockTransferType", 0x77: "blockTransferDataChecksumError",
        0x78: "requestCorrectlyReceived-ResponsePending", 0x79: "incorrectByteCountDuringBlockTransfer",
        0x80: "serviceNotSupportedInActiveDiagnosticSession",
    ]
}

/// `7F <SID> <code>`: a refusal, as a value.
public struct KWPNegativeResponse: Hashable, Sendable {
    /// The refused service.
    public var requestServiceID: KWPServiceID
    /// Why.
    public var code: KWPResponseCode

    /// Creates a negative response.
    public init(requestServiceID: KWPServiceID, code: KWPResponseCode) {
        self.requestServiceID = requestServiceID
        self.code = code
    }

    /// The three bytes.
    public var bytes: [UInt8] { [KWPServiceID.negativeResponse, requestServiceID.rawValue, code.rawValue] }
}
