public import DTC

/// One KWP2000-on-CAN message (ISO 14230-3 services over ISO 15765), request or response: the raw payload,
/// kept whole, and a typed view decoded from it.
///
/// ```swift
/// let message = try KWPMessage(decoding: [0x53, 0x01, 0x03, 0x35])
/// message.dtcs    // [P0335]
/// ```
public struct KWPMessage: Hashable, Sendable {
    /// Every byte of the message, unchanged.
    public let payload: [UInt8]
    /// The typed view.
    public let content: Content

    /// The typed views.
    public enum Content: Hashable, Sendable {
        /// `10 <session>`.
        case startDiagnosticSessionRequest(KWPStartDiagnosticSession.Request)
        /// `50 ...`.
        case startDiagnosticSessionResponse(KWPStartDiagnosticSession.Response)
        /// `12 <frame> ...`.
        case readFreezeFrameDataRequest(KWPReadFreezeFrameData.Request)
        /// `52 <frame> <DTC> <data>`.
        case readFreezeFrameDataResponse(KWPReadFreezeFrameData.Response)
        /// `13 [parameters]`.
        case readDiagnosticTroubleCodesRequest(KWPReadDiagnosticTroubleCodes.Request)
        /// `53 <count> <DTC>...`.
        case readDiagnosticTroubleCodesResponse(KWPReadDiagnosticTroubleCodes.Response)
        /// `14 <group>`.
        case clearDiagnosticInformationRequest(KWPClearDiagnosticInformation.Request)
        /// `54 <group>`.
        case clearDiagnosticInformationResponse(KWPClearDiagnosticInformation.Response)
        /// `18 <status> <group>`.
        case readDiagnosticTroubleCodesByStatusRequest(KWPReadDiagnosticTroubleCodesByStatus.Request)
        /// `58 <count> {<DTC> <status>}`.
        case readDiagnosticTroubleCodesByStatusResponse(KWPReadDiagnosticTroubleCodesByStatus.Response)
        /// `1A <option>`.
        case readECUIdentificationRequest(KWPReadECUIdentification.Request)
        /// `5A <option> <data>`.
        case readECUIdentificationResponse(KWPReadECUIdentification.Response)
        /// `21 <local id>`.
        case readDataByLocalIdentifierRequest(KWPReadDataByLocalIdentifier.Request)
        /// `61 <local id> <data>`.
        case readDataByLocalIdentifierResponse(KWPReadDataByLocalIdentifier.Response)
        /// `3E ...`.
        case testerPresentRequest(KWPTesterPresent.Request)
        /// `7E ...`.
        case testerPresentResponse(KWPTesterPresent.Response)
        /// `7F <SID> <code>`.
        case negativeResponse(KWPNegativeResponse)
        /// Any other service: identifier byte and the bytes after it.
        case other(identifier: UInt8, parameters: ArraySlice<UInt8>)
    }

    /// Decodes a payload (the ISO-TP message, without padding or addressing bytes).
    public init(decoding payload: [UInt8]) throws(KWPError) {
        var cursor = KWPCursor(payload)
        guard let first = cursor.peek else { throw KWPError(.empty, "no service identifier", offset: 0, payload: payload) }
        _ = try cursor.byte("service identifier")
        let content: Content
        switch first {
        case 0x10: content = .startDiagnosticSessionRequest(try .init(from: &cursor))
        case 0x50: content = .startDiagnosticSessionResponse(.init(from: &cursor))
        case 0x12: content = .readFreezeFrameDataRequest(try .init(from: &cursor))
        case 0x52: content = .readFreezeFrameDataResponse(try .init(from: &cursor))
        case 0x13: content = .readDiagnosticTroubleCodesRequest(.init(from: &cursor))
        case 0x53: content = .readDiagnosticTroubleCodesResponse(try .init(from: &cursor))
        case 0x14: content = .clearDiagnosticInformationRequest(try .init(from: &cursor))
        case 0x54: content = .clearDiagnosticInformationResponse(try .init(from: &cursor))
        case 0x18: content = .readDiagnosticTroubleCodesByStatusRequest(try .init(from: &cursor))
        case 0x58: content = .readDiagnosticTroubleCodesByStatusResponse(try .init(from: &cursor))
        case 0x1A: content = .readECUIdentificationRequest(try .init(from: &cursor))
        case 0x5A: content = .readECUIdentificationResponse(try .init(from: &cursor))
        case 0x21: content = .readDataByLocalIdentifierRequest(try .init(from: &cursor))
        case 0x61: content = .readDataByLocalIdentifierResponse(try .init(from: &cursor))
        case 0x3E: content = .testerPresentRequest(.init(from: &cursor))
        case 0x7E: content = .testerPresentResponse(.init(from: &cursor))
        case KWPServiceID.negativeResponse:
            let service = KWPServiceID(try cursor.byte("rejected service identifier"))
            content = .negativeResponse(
                KWPNegativeResponse(requestServiceID: service, code: KWPResponseCode(try cursor.byte("response code"))))
        default: content = .other(identifier: first, parameters: cursor.rest())
        }
        try cursor.finish("the \(PayloadText.hex(first)) message")
        self.payload = payload
        self.content = content
    }

    /// True for positive and negative responses (identifier bit 6 set).
    public var isResponse: Bool { payload[0] & 0x40 != 0 }

    /// The service: the request identifier, or the rejected one for a negative response.
    public var serviceID: KWPServiceID {
        if case .negativeResponse(let negative) = content { return negative.requestServiceID }
        return KWPServiceID(isResponse ? payload[0] & ~0x40 : payload[0])
    }

    /// The DTCs the message reports (0x53, 0x58 and the DTC of a 0x52 freeze frame), two-byte codes
    /// without failure type or ISO 14229 status.
    public var dtcs: [DiagnosticTroubleCode] {
        switch content {
        case .readDiagnosticTroubleCodesResponse(let response): response.dtcs
        case .readDiagnosticTroubleCodesByStatusResponse(let response): response.dtcs
        default: []
        }
    }

    /// The message as `name: value` lines for people.
    public var fields: [(name: String, value: String)] {
        let direction =
            switch content {
            case .negativeResponse: "negative response"
            default: isResponse ? "positive response" : "request"
            }
        var fields: [(name: String, value: String)] = [("protocol", "KWP2000 (ISO 14230-3 on CAN)"),
            ("service", "\(serviceID) \(direction)")]
        switch content {
        case .startDiagnosticSessionRequest(let view): fields += view.fields
        case .startDiagnosticSessionResponse(let view): fields += view.fields
        case .readFreezeFrameDataRequest(let view): fields += view.fields
        case .readFreezeFrameDataResponse(let view): fields += view.fields
        case .readDiagnosticTroubleCodesRequest(let view): fields += view.fields
        case .readDiagnosticTroubleCodesResponse(let view): fields += view.fields
        case .clearDiagnosticInformationRequest(let view): fields += view.fields
        case .clearDiagnosticInformationResponse(let view): fields += view.fields
        case .readDiagnosticTroubleCodesByStatusRequest(let view): fields += view.fields
        case .readDiagnosticTroubleCodesByStatusResponse(let view): fields += view.fields
        case .readECUIdentificationRequest(let view): fields += view.fields
        case .readECUIdentificationResponse(let view): fields += view.fields
        case .readDataByLocalIdentifierRequest(let view): fields += view.fields
        case .readDataByLocalIdentifierResponse(let view): fields += view.fields
        case .testerPresentRequest(let view):
            if !view.parameters.isEmpty { fields.append(("parameters", PayloadText.spaced(view.parameters))) }
        case .testerPresentResponse(let view):
            if !view.data.isEmpty { fields.append(("data", PayloadText.spaced(view.data))) }
        case .negativeResponse(let negative):
            fields += [("rejected service", negative.requestServiceID.description), ("response code", negative.code.description)]
        case .other(_, let parameters):
            if !parameters.isEmpty { fields.append(("parameters", PayloadText.spaced(parameters))) }
        }
        return fields
    }

    /// How strongly a payload looks like KWP2000 rather than UDS or OBD-II (same scale as
    /// `UDSMessage.recognitionScore(of:)`): 3 for KWP-only services (0x12, 0x13, 0x17, 0x18, 0x1A, 0x21,
    /// 0x30, 0x3B and their responses; 0x14/0x54 with a two-byte group; `50` with at most two bytes after
    /// it), 1 for services shared with UDS, 0 otherwise. A caller's protocol hint always wins.
    public static func recognitionScore(of payload: [UInt8]) -> Int {
        guard let first = payload.first else { return 0 }
        switch first {
        case 0x12, 0x52, 0x13, 0x53, 0x17, 0x57, 0x18, 0x58, 0x1A, 0x5A, 0x21, 0x61, 0x30, 0x70, 0x3B, 0x7B, 0x20, 0x60:
            return 3
        case 0x14, 0x54: return payload.count == 3 ? 3 : (payload.count == 1 ? 1 : 0)
        case 0x50: return payload.count <= 3 ? 2 : 0
        case 0x10: return payload.count == 2 && payload[1] >= 0x40 ? 2 : 1
        case 0x3E, 0x7E, 0x11, 0x51, 0x27, 0x67: return 1
        case 0x7F:
            guard payload.count == 3 else { return 0 }
            return min(recognitionScore(of: [payload[1]]), 3)
        default: return 0
        }
    }
}
