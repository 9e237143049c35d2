public import DTC

/// What an ECU is, for triage: the DCM, the head unit, the gateway, or anything else. An open set.
public struct ECURole: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The data communication module (telematics transceiver).
    public static let dcm = ECURole(rawValue: "dcm")
    /// The head unit (radio and display receiver, multimedia, navigation).
    public static let headUnit = ECURole(rawValue: "headUnit")
    /// The central (network) gateway ECU.
    public static let gateway = ECURole(rawValue: "gateway")
    /// Any other ECU.
    public static let other = ECURole(rawValue: "other")
}

/// One ECU as the scan addressed it.
public struct ECUIdentity: Hashable, Sendable, CustomStringConvertible {
    /// A name for people (`DCM (telematics)`).
    public var name: String
    /// The CAN identifier requests go to (`0x750`).
    public var requestID: UInt32
    /// The CAN identifier responses come from (`0x758`).
    public var responseID: UInt32
    /// The ISO-TP extended address (Toyota's sub-address, `0xC7` for the DCM), if any.
    public var extendedAddress: UInt8?
    /// What the ECU is, for triage.
    public var role: ECURole

    /// Creates an identity.
    public init(name: String, requestID: UInt32, responseID: UInt32, extendedAddress: UInt8? = nil, role: ECURole) {
        self.name = name
        self.requestID = requestID
        self.responseID = responseID
        self.extendedAddress = extendedAddress
        self.role = role
    }

    /// `0x750/0x758 ext 0xC7`.
    public var address: String {
        var text = "\(Self.hex(requestID))/\(Self.hex(responseID))"
        if let extendedAddress { text += " ext \(Self.hex(UInt32(extendedAddress), digits: 2))" }
        return text
    }

    /// `DCM (telematics) 0x750/0x758 ext 0xC7`.
    public var description: String { "\(name) \(address)" }

    static func hex(_ value: UInt32, digits: Int = 3) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

/// The DTCs one ECU reported.
public struct ECUFinding: Hashable, Sendable {
    /// The reporting ECU.
    public var ecu: ECUIdentity
    /// Its codes, with status where the protocol reports one.
    public var dtcs: [DiagnosticTroubleCode]
    /// The state of codes that carry no ISO 14229 status byte but whose protocol says it another way (the OBD
    /// mode that listed the code, the KWP2000 statusOfDTC), by code as in ``dtcs``. A status byte wins.
    public var statesWithoutStatusByte: [DiagnosticTroubleCode: FindingState]

    /// Creates a finding.
    public init(
        ecu: ECUIdentity, dtcs: [DiagnosticTroubleCode],
        statesWithoutStatusByte: [DiagnosticTroubleCode: FindingState] = [:]
    ) {
        self.ecu = ecu
        self.dtcs = dtcs
        self.statesWithoutStatusByte = statesWithoutStatusByte
    }

    /// The state of one of its codes: from the status byte, else from ``statesWithoutStatusByte``, else unknown.
    public func state(of dtc: DiagnosticTroubleCode) -> FindingState {
        dtc.status == nil ? statesWithoutStatusByte[dtc] ?? .unknown : FindingState(status: dtc.status)
    }
}

/// The verdict of the DCM health check (filled by the scan).
public enum DCMStatus: String, Hashable, Sendable, CaseIterable {
    /// The DCM answered and reports no faults.
    case healthy
    /// The DCM answered and reports faults (they are in the findings).
    case faultsPresent
    /// The DCM did not answer.
    case notResponding
    /// The bus itself failed while talking to the DCM (error frames, bus off).
    case busFault
    /// No verdict.
    case unknown
}

/// Everything a scan found on a vehicle: the codes per ECU, the ECUs that did not respond, and the DCM verdict.
public struct VehicleFindings: Hashable, Sendable {
    /// The ECUs that answered, with their codes (an ECU with no codes may be listed with none).
    public var findings: [ECUFinding]
    /// ECUs that were asked and did not answer.
    public var unresponsive: [ECUIdentity]
    /// The DCM health verdict, when the scan made one.
    public var dcmStatus: DCMStatus?

    /// Creates the findings.
    public init(findings: [ECUFinding] = [], unresponsive: [ECUIdentity] = [], dcmStatus: DCMStatus? = nil) {
        self.findings = findings
        self.unresponsive = unresponsive
        self.dcmStatus = dcmStatus
    }
}
