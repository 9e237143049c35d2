public import DTC

/// One UDS message (ISO 14229-1:2020), request or response: the raw payload, kept whole, and a typed view
/// decoded from it.
///
/// ```swift
/// let message = try UDSMessage(decoding: [0x59, 0x02, 0xFF, 0x95, 0xC4, 0x00, 0x09])
/// message.dtcs          // [B15C4-00 status 0x09]
/// message.fields        // [("service", "ReadDTCInformation (0x19) positive response"), ...]
/// ```
///
/// The direction comes from the first byte: response identifiers have bit 6 set (0x40-0x7F, 0xC0-0xFF).
/// Decoding never traps; a payload that does not fit its service's layout throws ``UDSError``.
public struct UDSMessage: Hashable, Sendable {
    /// Every byte of the message, unchanged.
    public let payload: [UInt8]
    /// The typed view.
    public let content: Content

    /// The typed views, one per service and direction.
    public enum Content: Hashable, Sendable {
        /// `10 <session>`.
        case diagnosticSessionControlRequest(DiagnosticSessionControl.Request)
        /// `50 <session> <P2> <P2*>`.
        case diagnosticSessionControlResponse(DiagnosticSessionControl.Response)
        /// `11 <reset type>`.
        case ecuResetRequest(ECUReset.Request)
        /// `51 <reset type>`.
        case ecuResetResponse(ECUReset.Response)
        /// `14 <group>`.
        case clearDiagnosticInformationRequest(ClearDiagnosticInformation.Request)
        /// `54`.
        case clearDiagnosticInformationResponse
        /// `19 <report type> ...`.
        case readDTCInformationRequest(ReadDTCInformation.Request)
        /// `59 <report type> ...`.
        case readDTCInformationResponse(ReadDTCInformation.Response)
        /// `22 <DID>...`.
        case readDataByIdentifierRequest(ReadDataByIdentifier.Request)
        /// `62 <DID> <data>...`.
        case readDataByIdentifierResponse(ReadDataByIdentifier.Response)
        /// `27 <level> ...` (decoded only, never sent).
        case securityAccessRequest(SecurityAccess.Request)
        /// `67 <level> ...`.
        case securityAccessResponse(SecurityAccess.Response)
        /// `2E <DID> <data>` (decoded only, never sent).
        case writeDataByIdentifierRequest(WriteDataByIdentifier.Request)
        /// `6E <DID>`.
        case writeDataByIdentifierResponse(WriteDataByIdentifier.Response)
        /// `31 <type> <routine> ...` (decoded only, never sent).
        case routineControlRequest(RoutineControl.Request)
        /// `71 <type> <routine> ...`.
        case routineControlResponse(RoutineControl.Response)
        /// `3E 00` / `3E 80`.
        case testerPresentRequest(TesterPresent.Request)
        /// `7E 00`.
        case testerPresentResponse(TesterPresent.Response)
        /// `85 <on/off>`.
        case controlDTCSettingRequest(ControlDTCSetting.Request)
        /// `C5 <on/off>`.
        case controlDTCSettingResponse(ControlDTCSetting.Response)
        /// `7F <SID> <NRC>`.
        case negativeResponse(NegativeResponse)
        /// Any other service: its identifier and parameter bytes.
        case other(OtherService)
    }

    /// A service without a typed view: the identifier byte and the bytes after it.
    public struct OtherService: Hashable, Sendable {
        /// The first byte of the payload (request or response identifier).
        public var identifier: UInt8
        /// Everything after it.
        public var parameters: ArraySlice<UInt8>
    }

    /// Decodes a payload (the ISO-TP message, without padding or addressing bytes).
    public init(decoding payload: [UInt8], options: UDSDecodingOptions = UDSDecodingOptions()) throws(UDSError) {
        var cursor = UDSCursor(payload)
        guard let first = cursor.peek else { throw UDSError(.empty, "no service identifier", offset: 0, payload: payload) }
        _ = try cursor.byte("service identifier")
        let content: Content
        switch first {
        case 0x10: content = .diagnosticSessionControlRequest(try .init(from: &cursor))
        case 0x50: content = .diagnosticSessionControlResponse(try .init(from: &cursor))
        case 0x11: content = .ecuResetRequest(try .init(from: &cursor))
        case 0x51: content = .ecuResetResponse(try .init(from: &cursor))
        case 0x14: content = .clearDiagnosticInformationRequest(try .init(from: &cursor))
        case 0x54: content = .clearDiagnosticInformationResponse
        case 0x19: content = .readDTCInformationRequest(try .init(from: &cursor))
        case 0x59: content = .readDTCInformationResponse(try .init(from: &cursor, options: options))
        case 0x22: content = .readDataByIdentifierRequest(try .init(from: &cursor))
        case 0x62: content = .readDataByIdentifierResponse(try .init(from: &cursor, options: options))
        case 0x27: content = .securityAccessRequest(try .init(from: &cursor))
        case 0x67: content = .securityAccessResponse(try .init(from: &cursor))
        case 0x2E: content = .writeDataByIdentifierRequest(try .init(from: &cursor))
        case 0x6E: content = .writeDataByIdentifierResponse(try .init(from: &cursor))
        case 0x31: content = .routineControlRequest(try .init(from: &cursor))
        case 0x71: content = .routineControlResponse(try .init(from: &cursor))
        case 0x3E: content = .testerPresentRequest(try .init(from: &cursor))
        case 0x7E: content = .testerPresentResponse(try .init(from: &cursor))
        case 0x85: content = .controlDTCSettingRequest(try .init(from: &cursor))
        case 0xC5: content = .controlDTCSettingResponse(try .init(from: &cursor))
        case UDSServiceID.negativeResponse: content = .negativeResponse(try .init(from: &cursor))
        default: content = .other(OtherService(identifier: first, parameters: cursor.rest()))
        }
        try cursor.finish(UDSMessage.serviceName(first))
        self.payload = payload
        self.content = content
    }

    /// The service: the request identifier for requests and positive responses, the rejected one for a
    /// negative response.
    public var serviceID: UDSServiceID {
        if case .negativeResponse(let negative) = content { return negative.requestServiceID }
        let first = payload[0]
        return UDSServiceID(UDSServiceID.isResponse(first) ? first & ~0x40 : first)
    }

    /// True for positive and negative responses.
    public var isResponse: Bool { UDSServiceID.isResponse(payload[0]) }

    /// The negative response, if this is one.
    public var negativeResponse: NegativeResponse? {
        if case .negativeResponse(let negative) = content { return negative }
        return nil
    }

    /// The DTCs the message reports: ReadDTCInformation responses list them (with status where the report
    /// type has one); every other message has none.
    public var dtcs: [DiagnosticTroubleCode] {
        if case .readDTCInformationResponse(let response) = content { return response.dtcs }
        return []
    }

    /// The message as `name: value` lines for people: the service and direction first, then the view's fields.
    public var fields: [(name: String, value: String)] {
        let direction =
            switch content {
            case .negativeResponse: "negative response"
            default: isResponse ? "positive response" : "request"
            }
        var fields: [(name: String, value: String)] = [("protocol", "UDS (ISO 14229)"),
            ("service", "\(serviceID) \(direction)")]
        if serviceID.isVehicleChangingNotSent { fields.append(("note", "vehicle-changing service: never sent by CarDiag")) }
        switch content {
        case .diagnosticSessionControlRequest(let view): fields += view.fields
        case .diagnosticSessionControlResponse(let view): fields += view.fields
        case .ecuResetRequest(let view): fields += view.fields
        case .ecuResetResponse(let view): fields += view.fields
        case .clearDiagnosticInformationRequest(let view): fields += view.fields
        case .clearDiagnosticInformationResponse: break
        case .readDTCInformationRequest(let view): fields += view.fields
        case .readDTCInformationResponse(let view): fields += view.fields
        case .readDataByIdentifierRequest(let view): fields += view.fields
        case .readDataByIdentifierResponse(let view): fields += view.fields
        case .securityAccessRequest(let view): fields += view.fields
        case .securityAccessResponse(let view): fields += view.fields
        case .writeDataByIdentifierRequest(let view): fields += view.fields
        case .writeDataByIdentifierResponse(let view): fields += view.fields
        case .routineControlRequest(let view): fields += view.fields
        case .routineControlResponse(let view): fields += view.fields
        case .testerPresentRequest(let view): fields += view.fields
        case .testerPresentResponse(let view): fields += view.fields
        case .controlDTCSettingRequest(let view): fields += view.fields
        case .controlDTCSettingResponse(let view): fields += view.fields
        case .negativeResponse(let view): fields += view.fields
        case .other(let view): if !view.parameters.isEmpty { fields.append(("parameters", PayloadText.spaced(view.parameters))) }
        }
        return fields
    }

    static func serviceName(_ first: UInt8) -> String {
        if first == UDSServiceID.negativeResponse { return "the negative response" }
        let service = UDSServiceID(UDSServiceID.isResponse(first) ? first & ~0x40 : first)
        return "the \(service.name ?? PayloadText.hex(first)) \(UDSServiceID.isResponse(first) ? "response" : "request")"
    }

    /// How strongly a payload looks like UDS rather than KWP2000 or OBD-II, for a caller that must guess:
    /// 3 distinctive (0x19/0x59 ReadDTCInformation, 0x22/0x62, `50` with a timing record, a negative response
    /// to a UDS-only service), 2 plausible (a service UDS shares with KWP2000 in a UDS-shaped layout),
    /// 1 possible (shared service, shape fits both), 0 not UDS (KWP-only or OBD service identifiers).
    /// The KWP and OBD modules score the same way; a protocol hint from the caller always wins.
    public static func recognitionScore(of payload: [UInt8]) -> Int {
        guard let first = payload.first else { return 0 }
        switch first {
        case 0x19, 0x59, 0x22, 0x62, 0x2E, 0x6E, 0x2F, 0x6F, 0x28, 0x68, 0x29, 0x69, 0x31, 0x71, 0x85, 0xC5,
            0x84, 0xC4, 0x86, 0xC6, 0x87, 0xC7, 0x38, 0x78, 0x24, 0x64, 0x2A, 0x6A:
            return 3
        case 0x50: return payload.count == 6 ? 3 : 1
        case 0x10: return payload.count == 2 && (0x01...0x04).contains(payload[1] & 0x7F) ? 2 : 1
        case 0x14: return payload.count == 4 || payload.count == 5 ? 3 : 0
        case 0x54: return payload.count == 1 ? 2 : 0
        case 0x7F:
            guard payload.count == 3 else { return 0 }
            return recognitionScore(of: [payload[1]]) >= 3 ? 3 : (recognitionScore(of: [payload[1]]) > 0 ? 1 : 0)
        case 0x11, 0x51, 0x27, 0x67, 0x3E, 0x7E, 0x23, 0x63, 0x2C, 0x6C, 0x34, 0x74, 0x35, 0x75, 0x36, 0x76,
            0x37, 0x77, 0x3D, 0x7D, 0x83, 0xC3:
            return 1
        default: return 0
        }
    }
}
