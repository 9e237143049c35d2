/// The one place that lists what CarDiag may send to a vehicle. Every request of the live client passes
/// ``permits(_:consent:)``; anything else is refused before it reaches the bus.
///
/// Reading is always allowed: sessions default and extended (0x10 01/03), identification DIDs (0x22
/// F180-F19F), every ReadDTCInformation report (0x19), tester present (0x3E); KWP2000 ECU identification
/// (0x1A), DTC reads (0x13, 0x18) and tester present (0x3E 01/02); OBD-II modes 01, 03, 07, 09 and 0A.
/// Clearing codes (UDS 0x14 FFFFFF, KWP 0x14 FF00, OBD mode 04) is allowed only with a ``ClearConsent``,
/// which only the clear path makes, and OBD 04 only when that consent includes it.
public enum ServicePolicy {
    /// Permission to erase codes, given by the person at the keyboard (`cardiag clear --yes`).
    public struct ClearConsent: Hashable, Sendable {
        /// Whether OBD mode 04 (which also resets emissions readiness monitors) may go out.
        public var includesOBD: Bool

        /// Consent to clear, with or without OBD mode 04.
        public init(includesOBD: Bool) { self.includesOBD = includesOBD }
    }

    /// What a permitted request does.
    public enum Kind: String, Hashable, Sendable {
        /// Reads something; changes nothing but the session.
        case read
        /// Keeps a session alive.
        case keepAlive
        /// Erases stored codes.
        case clear
    }

    /// UDS identification DIDs CarDiag reads (ISO 14229-1 annex C.1, F180-F19F).
    public static let identificationDIDs: ClosedRange<UInt16> = 0xF180...0xF19F

    /// The kind of `request` when it is on the list (consent aside), else nil.
    public static func kind(of request: [UInt8]) -> Kind? {
        guard let service = request.first else { return nil }
        let rest = request.dropFirst()
        switch service {
        case 0x10:
            // UDS default (01) or extended (03) session; nothing that programs or resets.
            return request.count == 2 && (rest.first == 0x01 || rest.first == 0x03) ? .read : nil
        case 0x22:
            guard rest.count >= 2, rest.count % 2 == 0 else { return nil }
            let dids = stride(from: rest.startIndex, to: rest.endIndex, by: 2).map {
                UInt16(request[$0]) << 8 | UInt16(request[$0 + 1])
            }
            return dids.allSatisfy(identificationDIDs.contains) ? .read : nil
        case 0x19:
            guard let report = rest.first, readDTCReports.contains(report & 0x7F) else { return nil }
            return .read
        case 0x3E:
            // UDS 00/80, KWP2000 on CAN 01/02 (Toyota ECUs want a response-required tester present).
            return request.count == 2 && [0x00, 0x80, 0x01, 0x02].contains(request[1]) ? .keepAlive : nil
        case 0x1A:
            return request.count == 2 ? .read : nil
        case 0x13:
            return request.count <= 3 ? .read : nil
        case 0x18:
            return request.count == 4 ? .read : nil
        case 0x01, 0x09:
            return request.count >= 2 && request.count <= 7 ? .read : nil
        case 0x03, 0x07, 0x0A:
            return request.count == 1 ? .read : nil
        case 0x14:
            // UDS: all groups (FF FF FF); KWP2000: all groups (FF 00).
            return request == [0x14, 0xFF, 0xFF, 0xFF] || request == [0x14, 0xFF, 0x00] ? .clear : nil
        case 0x04:
            return request.count == 1 ? .clear : nil
        default:
            return nil
        }
    }

    /// Whether `request` may go out under `consent` (nil: reading only).
    public static func permits(_ request: [UInt8], consent: ClearConsent? = nil) -> Bool {
        switch kind(of: request) {
        case .read?, .keepAlive?: return true
        case .clear?:
            guard let consent else { return false }
            return request.first != 0x04 || consent.includesOBD
        case nil: return false
        }
    }

    /// ReadDTCInformation report types: every one reads (ISO 14229-1 §11.3).
    static let readDTCReports: Set<UInt8> = Set(Array(0x01...0x1A) + [0x42, 0x55, 0x56])

    // MARK: - The requests the health check sends

    /// UDS DiagnosticSessionControl default session: `10 01` (its answer carries P2 and P2*).
    public static let udsDefaultSession: [UInt8] = [0x10, 0x01]
    /// UDS ReadDataByIdentifier for one identification DID.
    public static func udsReadIdentifier(_ did: UInt16) -> [UInt8] { [0x22, UInt8(did >> 8), UInt8(did & 0xFF)] }
    /// UDS ReadDTCInformation reportDTCByStatusMask with `mask` (0xFF everything; 0xAF skips the
    /// not-completed bits some ECUs refuse).
    public static func udsReadDTCs(statusMask mask: UInt8) -> [UInt8] { [0x19, 0x02, mask] }
    /// UDS tester present without a positive response: `3E 80`.
    public static let udsTesterPresent: [UInt8] = [0x3E, 0x80]
    /// KWP2000 tester present, response required: `3E 01` (Toyota KWP ECUs ignore the suppressed form).
    public static let kwpTesterPresent: [UInt8] = [0x3E, 0x01]
    /// KWP2000 readDiagnosticTroubleCodesByStatus, every code of every group: `18 00 FF 00`.
    public static let kwpReadDTCsByStatus: [UInt8] = [0x18, 0x00, 0xFF, 0x00]
    /// KWP2000 readDiagnosticTroubleCodes (Toyota), every group: `13 FF 00`.
    public static let kwpReadDTCs: [UInt8] = [0x13, 0xFF, 0x00]
    /// KWP2000 readECUIdentification option 0x88 (Toyota: VIN / part number block).
    public static let kwpIdentification: [UInt8] = [0x1A, 0x88]
    /// OBD-II stored (03), pending (07) and permanent (0A) codes.
    public static let obdReadCodes: [[UInt8]] = [[0x03], [0x07], [0x0A]]
    /// OBD-II mode 09 VIN.
    public static let obdVIN: [UInt8] = [0x09, 0x02]
    /// UDS ClearDiagnosticInformation, all groups: `14 FF FF FF`. Needs consent.
    public static let udsClearAll: [UInt8] = [0x14, 0xFF, 0xFF, 0xFF]
    /// KWP2000 clearDiagnosticInformation, all groups: `14 FF 00`. Needs consent.
    public static let kwpClearAll: [UInt8] = [0x14, 0xFF, 0x00]
    /// OBD-II mode 04: clear codes and reset readiness monitors. Needs consent including OBD.
    public static let obdClear: [UInt8] = [0x04]
}
