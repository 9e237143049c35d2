import DTC

/// An ISO 14229-1:2020 negative response code (Annex A, Table A.1): the third byte of `7F SID NRC`.
///
/// An open code space: every byte is representable; 0xF0-0xFE are manufacturer-specific "conditions not
/// correct" codes and print as such, other unassigned values print as hex.
public struct NegativeResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code byte.
    public let rawValue: UInt8
    /// Wraps a byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Wraps a byte.
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    /// 0x10.
    public static let generalReject = NegativeResponseCode(0x10)
    /// 0x11.
    public static let serviceNotSupported = NegativeResponseCode(0x11)
    /// 0x12.
    public static let subFunctionNotSupported = NegativeResponseCode(0x12)
    /// 0x13.
    public static let incorrectMessageLengthOrInvalidFormat = NegativeResponseCode(0x13)
    /// 0x14.
    public static let responseTooLong = NegativeResponseCode(0x14)
    /// 0x21: the server is busy; the client repeats the request later.
    public static let busyRepeatRequest = NegativeResponseCode(0x21)
    /// 0x22.
    public static let conditionsNotCorrect = NegativeResponseCode(0x22)
    /// 0x24.
    public static let requestSequenceError = NegativeResponseCode(0x24)
    /// 0x25.
    public static let noResponseFromSubnetComponent = NegativeResponseCode(0x25)
    /// 0x26.
    public static let failurePreventsExecutionOfRequestedAction = NegativeResponseCode(0x26)
    /// 0x31.
    public static let requestOutOfRange = NegativeResponseCode(0x31)
    /// 0x33.
    public static let securityAccessDenied = NegativeResponseCode(0x33)
    /// 0x34.
    public static let authenticationRequired = NegativeResponseCode(0x34)
    /// 0x35.
    public static let invalidKey = NegativeResponseCode(0x35)
    /// 0x36.
    public static let exceededNumberOfAttempts = NegativeResponseCode(0x36)
    /// 0x37.
    public static let requiredTimeDelayNotExpired = NegativeResponseCode(0x37)
    /// 0x38.
    public static let secureDataTransmissionRequired = NegativeResponseCode(0x38)
    /// 0x39.
    public static let secureDataTransmissionNotAllowed = NegativeResponseCode(0x39)
    /// 0x3A.
    public static let secureDataVerificationFailed = NegativeResponseCode(0x3A)
    /// 0x70.
    public static let uploadDownloadNotAccepted = NegativeResponseCode(0x70)
    /// 0x71.
    public static let transferDataSuspended = NegativeResponseCode(0x71)
    /// 0x72.
    public static let generalProgrammingFailure = NegativeResponseCode(0x72)
    /// 0x73.
    public static let wrongBlockSequenceCounter = NegativeResponseCode(0x73)
    /// 0x78: the request was received and the final answer follows within P2* (ISO 14229-1 §A.1).
    public static let requestCorrectlyReceivedResponsePending = NegativeResponseCode(0x78)
    /// 0x78, the short name.
    public static let responsePending = requestCorrectlyReceivedResponsePending
    /// 0x7E.
    public static let subFunctionNotSupportedInActiveSession = NegativeResponseCode(0x7E)
    /// 0x7F.
    public static let serviceNotSupportedInActiveSession = NegativeResponseCode(0x7F)
    /// 0x81.
    public static let rpmTooHigh = NegativeResponseCode(0x81)
    /// 0x82.
    public static let rpmTooLow = NegativeResponseCode(0x82)
    /// 0x83.
    public static let engineIsRunning = NegativeResponseCode(0x83)
    /// 0x84.
    public static let engineIsNotRunning = NegativeResponseCode(0x84)
    /// 0x85.
    public static let engineRunTimeTooLow = NegativeResponseCode(0x85)
    /// 0x86.
    public static let temperatureTooHigh = NegativeResponseCode(0x86)
    /// 0x87.
    public static let temperatureTooLow = NegativeResponseCode(0x87)
    /// 0x88.
    public static let vehicleSpeedTooHigh = NegativeResponseCode(0x88)
    /// 0x89.
    public static let vehicleSpeedTooLow = NegativeResponseCode(0x89)
    /// 0x8A.
    public static let throttlePedalTooHigh = NegativeResponseCode(0x8A)
    /// 0x8B.
    public static let throttlePedalTooLow = NegativeResponseCode(0x8B)
    /// 0x8C.
    public static let transmissionRangeNotInNeutral = NegativeResponseCode(0x8C)
    /// 0x8D.
    public static let transmissionRangeNotInGear = NegativeResponseCode(0x8D)
    /// 0x8F.
    public static let brakeSwitchesNotClosed = NegativeResponseCode(0x8F)
    /// 0x90.
    public static let shifterLeverNotInPark = NegativeResponseCode(0x90)
    /// 0x91.
    public static let torqueConverterClutchLocked = NegativeResponseCode(0x91)
    /// 0x92.
    public static let voltageTooHigh = NegativeResponseCode(0x92)
    /// 0x93.
    public static let voltageTooLow = NegativeResponseCode(0x93)
    /// 0x94.
    public static let resourceTemporarilyNotAvailable = NegativeResponseCode(0x94)

    /// The ISO 14229-1 name; "vehicleManufacturerSpecificConditionsNotCorrect" for 0xF0-0xFE; nil otherwise.
    public var name: String? {
        if let name = Self.names[rawValue] { return name }
        if (0xF0...0xFE).contains(rawValue) { return "vehicleManufacturerSpecificConditionsNotCorrect" }
        return nil
    }

    /// True for 0x78: the final response is still to come, so the client waits P2* instead of failing.
    public var isResponsePending: Bool { self == .responsePending }

    /// `requestCorrectlyReceivedResponsePending (0x78)`, or the hex for an unassigned value.
    public var description: String {
        let hex = PayloadText.hex(rawValue)
        return name.map { "\($0) (\(hex))" } ?? hex
    }

    static let names: [UInt8: String] = [
        0x10: "generalReject", 0x11: "serviceNotSupported", 0x12: "subFunctionNotSupported",
        0x13: "incorrectMessageLengthOrInvalidFormat", 0x14: "responseTooLong", 0x21: "busyRepeatRequest",
        0x22: "conditionsNotCorrect", 0x24: "requestSequenceError", 0x25: "noResponseFromSubnetComponent",
        0x26: "failurePreventsExecutionOfRequestedAction", 0x31: "requestOutOfRange", 0x33: "securityAccessDenied",
        0x34: "authenticationRequired", 0x35: "invalidKey", 0x36: "exceededNumberOfAttempts",
        0x37: "requiredTimeDelayNotExpired", 0x38: "secureDataTransmissionRequired",
        0x39: "secureDataTransmissionNotAllowed", 0x3A: "secureDataVerificationFailed",
        0x50: "certificateVerificationFailedInvalidTimePeriod", 0x51: "certificateVerificationFailedInvalidSignature",
        0x52: "certificateVerificationFailedInvalidChainOfTrust", 0x53: "certificateVerificationFailedInvalidType",
        0x54: "certificateVerificationFailedInvalidFormat", 0x55: "certificateVerificationFailedInvalidContent",
        0x56: "certificateVerificationFailedInvalidScope", 0x57: "certificateVerificationFailedInvalidCertificate",
        0x58: "ownershipVerificationFailed", 0x59: "challengeCalculationFailed", 0x5A: "settingAccessRightsFailed",
        0x5B: "sessionKeyCreationDerivationFailed", 0x5C: "configurationDataUsageFailed",
        0x5D: "deAuthenticationFailed", 0x70: "uploadDownloadNotAccepted", 0x71: "transferDataSuspended",
        0x72: "generalProgrammingFailure", 0x73: "wrongBlockSequenceCounter",
        0x78: "requestCorrectlyReceivedResponsePending", 0x7E: "subFunctionNotSupportedInActiveSession",
        0x7F: "serviceNotSupportedInActiveSession", 0x81: "rpmTooHigh", 0x82: "rpmTooLow", 0x83: "engineIsRunning",
        0x84: "engineIsNotRunning", 0x85: "engineRunTimeTooLow", 0x86: "temperatureTooHigh",
        0x87: "temperatureTooLow", 0x88: "vehicleSpeedTooHigh", 0x89: "vehicleSpeedTooLow",
        0x8A: "throttlePedalTooHigh", 0x8B: "throttlePedalTooLow", 0x8C: "transmissionRangeNotInNeutral",
        0x8D: "transmissionRangeNotInGear", 0x8F: "brakeSwitchesNotClosed", 0x90: "shifterLeverNotInPark",
        0x91: "torqueConverterClutchLocked", 0x92: "voltageTooHigh", 0x93: "voltageTooLow",
        0x94: "resourceTemporarilyNotAvailable",
    ]
}
