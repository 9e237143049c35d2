public import DTC

/// One OBD-II message (SAE J1979 / ISO 15031-5 on CAN), request or response: the raw payload, kept whole,
/// and a typed view decoded from it.
///
/// ```swift
/// let message = try OBDMessage(decoding: [0x47, 0x02, 0x03, 0x35, 0x13, 0x40])
/// message.dtcs    // [P0335, P1340]
/// ```
public struct OBDMessage: Hashable, Sendable {
    /// Every byte of the message, unchanged.
    public let payload: [UInt8]
    /// The typed view.
    public let content: Content

    /// The typed views.
    public enum Content: Hashable, Sendable {
        /// `01 <PID>...`.
        case currentDataRequest(OBDCurrentData.Request)
        /// `41 <PID> <data>...`.
        case currentDataResponse(OBDCurrentData.Response)
        /// `02 <PID> <frame>`.
        case freezeFrameRequest(OBDFreezeFrame.Request)
        /// `42 <PID> <frame> <data>`.
        case freezeFrameResponse(OBDFreezeFrame.Response)
        /// `03`, `07` or `0A`: the mode byte.
        case troubleCodesRequest(mode: UInt8)
        /// `43`/`47`/`4A` `<count> <DTC>...`.
        case troubleCodesResponse(OBDTroubleCodes)
        /// `04`: clear emissions-related diagnostic information.
        case clearDiagnosticInformationRequest
        /// `44`.
        case clearDiagnosticInformationResponse
        /// `09 <info type>`.
        case vehicleInformationRequest(OBDVehicleInformation.Request)
        /// `49 <info type> ...`.
        case vehicleInformationResponse(OBDVehicleInformation.Response)
        /// `7F <mode> <code>`; the codes share ISO 14229's values (0x11, 0x12, 0x22, 0x78...).
        case negativeResponse(mode: UInt8, code: UInt8)
        /// Any other mode (0x05, 0x06, 0x08...): identifier and the bytes after it.
        case other(identifier: UInt8, parameters: ArraySlice<UInt8>)
    }

    /// Decodes a payload (the ISO-TP message, without padding).
    public init(decoding payload: [UInt8]) throws(OBDError) {
        var cursor = OBDCursor(payload)
        guard let first = cursor.peek else { throw OBDError(.empty, "no mode byte", offset: 0, payload: payload) }
        _ = try cursor.byte("mode")
        let content: Content
        switch first {
        case 0x01: content = .currentDataRequest(try .init(from: &cursor))
        case 0x41: content = .currentDataResponse(try .init(from: &cursor))
        case 0x02: content = .freezeFrameRequest(try .init(from: &cursor))
        case 0x42: content = .freezeFrameResponse(try .init(from: &cursor))
        case 0x03, 0x07, 0x0A: content = .troubleCodesRequest(mode: first)
        case 0x43, 0x47, 0x4A: content = .troubleCodesResponse(try OBDTroubleCodes(mode: first - 0x40, from: &cursor))
        case 0x04: content = .clearDiagnosticInformationRequest
        case 0x44: content = .clearDiagnosticInformationResponse
        case 0x09: content = .vehicleInformationRequest(try .init(from: &cursor))
        case 0x49: content = .vehicleInformationResponse(try .init(from: &cursor))
        case 0x7F:
            let mode = try cursor.byte("rejected mode")
            content = .negativeResponse(mode: mode, code: try cursor.byte("negative response code"))
        default: content = .other(identifier: first, parameters: cursor.rest())
        }
        try cursor.finish("the mode \(PayloadText.hex(first)) message")
        self.payload = payload
        self.content = content
    }

    /// Builds the request of a trouble-code mode: 0x03 stored, 0x07 pending, 0x0A permanent.
    public static func troubleCodesRequest(mode: UInt8) -> [UInt8] { [mode] }
    /// The mode 0x04 request, which clears emissions-related DTCs and freeze frames.
    public static let clearDiagnosticInformationRequest: [UInt8] = [0x04]

    /// True for positive and negative responses.
    public var isResponse: Bool { payload[0] & 0x40 != 0 }

    /// The request mode (for responses, the mode answered).
    public var mode: UInt8 {
        if case .negativeResponse(let mode, _) = content { return mode }
        return isResponse ? payload[0] & ~0x40 : payload[0]
    }

    /// The DTCs the message reports: modes 0x03/0x07/0x0A lists and the DTC of a freeze frame.
    public var dtcs: [DiagnosticTroubleCode] {
        switch content {
        case .troubleCodesResponse(let codes): codes.dtcs
        case .freezeFrameResponse(let frame): frame.dtcs
        default: []
        }
    }

    static let modeNames: [UInt8: String] = [
        0x01: "show current data", 0x02: "show freeze frame data", 0x03: "show stored DTCs",
        0x04: "clear DTCs and stored values", 0x05: "oxygen sensor monitoring (non-CAN)",
        0x06: "on-board monitoring test results", 0x07: "show pending DTCs", 0x08: "control on-board system",
        0x09: "request vehicle information", 0x0A: "show permanent DTCs",
    ]

    static let negativeCodeNames: [UInt8: String] = [
        0x10: "generalReject", 0x11: "serviceNotSupported", 0x12: "subFunctionNotSupported-invalidFormat",
        0x21: "busyRepeatRequest", 0x22: "conditionsNotCorrectOrRequestSequenceError",
        0x78: "requestCorrectlyReceived-ResponsePending",
    ]

    /// The message as `name: value` lines for people.
    public var fields: [(name: String, value: String)] {
        let direction =
            switch content {
            case .negativeResponse: "negative response"
            default: isResponse ? "positive response" : "request"
            }
        let modeText = Self.modeNames[mode].map { "\($0) (\(PayloadText.hex(mode)))" } ?? PayloadText.hex(mode)
        var fields: [(name: String, value: String)] = [("protocol", "OBD-II (SAE J1979)"),
            ("mode", "\(modeText) \(direction)")]
        switch content {
        case .currentDataRequest(let view): fields += view.fields
        case .currentDataResponse(let view): fields += view.fields
        case .freezeFrameRequest(let view): fields += view.fields
        case .freezeFrameResponse(let view): fields += view.fields
        case .troubleCodesRequest, .clearDiagnosticInformationRequest, .clearDiagnosticInformationResponse: break
        case .troubleCodesResponse(let view): fields += view.fields
        case .vehicleInformationRequest(let view): fields += view.fields
        case .vehicleInformationResponse(let view): fields += view.fields
        case .negativeResponse(_, let code):
            let hex = PayloadText.hex(code)
            fields.append(("response code", Self.negativeCodeNames[code].map { "\($0) (\(hex))" } ?? hex))
        case .other(_, let parameters):
            if !parameters.isEmpty { fields.append(("parameters", PayloadText.spaced(parameters))) }
        }
        return fields
    }

    /// How strongly a payload looks like OBD-II rather than UDS or KWP2000 (same scale as
    /// `UDSMessage.recognitionScore(of:)`): 3 for modes 0x01-0x0A and responses 0x41-0x4A (no UDS or
    /// KWP2000 service uses them) and for `7F` naming such a mode, 0 otherwise.
    public static func recognitionScore(of payload: [UInt8]) -> Int {
        guard let first = payload.first else { return 0 }
        switch first {
        case 0x01...0x0A, 0x41...0x4A: return 3
        case 0x7F: return payload.count == 3 && (0x01...0x0A).contains(payload[1]) ? 3 : 0
        default: return 0
        }
    }
}
