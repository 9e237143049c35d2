import CANCore
public import Interpretation

/// The diagnostic protocol an ECU speaks on a conversation.
public enum DiagnosticProtocol: String, Hashable, Sendable, Codable, CaseIterable {
    /// ISO 14229 Unified Diagnostic Services.
    case uds
    /// KWP2000 (ISO 14230-3 services) carried on CAN, as older Toyota ECUs use.
    case kwp
    /// SAE J1979 / ISO 15031-5 emissions diagnostics (OBD-II modes 0x01-0x0A).
    case obd
}

/// One ECU a vehicle profile knows: its name, role, address, the protocols it is known to answer, and the
/// public source the address comes from.
public struct ECUDescriptor: Hashable, Sendable {
    /// A short name a mechanic recognises ("Telematics (DCM)", "Engine (ECM)").
    public var name: String
    /// The ECU's part in a Remote Connect diagnosis.
    public var role: ECURole
    /// Request and response ids, and the sub-address for extended addressing.
    public var address: ECUAddress
    /// Protocols it is known to answer, most likely first.
    public var protocols: [DiagnosticProtocol]
    /// Where the address is written down.
    public var source: String

    /// Creates a descriptor.
    public init(name: String, role: ECURole = .other, address: ECUAddress, protocols: [DiagnosticProtocol], source: String)
    {
        self.name = name
        self.role = role
        self.address = address
        self.protocols = protocols
        self.source = source
    }
}

/// A vehicle family's diagnostic address map.
public struct VehicleProfile: Sendable {
    /// The profile's name ("toyota", "generic").
    public var name: String
    /// The ECUs it knows.
    public var ecus: [ECUDescriptor]

    /// Creates a profile.
    public init(name: String, ecus: [ECUDescriptor]) {
        self.name = name
        self.ecus = ecus
    }

    /// The ECU at `address`, matching request id and sub-address (or response id and sub-address).
    public func ecu(at address: ECUAddress) -> ECUDescriptor? {
        ecus.first { $0.address == address }
            ?? ecus.first {
                $0.address.extendedAddress == address.extendedAddress
                    && ($0.address.requestID == address.requestID || $0.address.responseID == address.responseID)
            }
    }

    /// The built-in profiles by name.
    public static let builtIn: [String: VehicleProfile] = ["toyota": .toyota, "generic": .generic]
}

extension VehicleProfile {
    private static func standard(
        _ request: UInt32, _ name: String, _ protocols: [DiagnosticProtocol], role: ECURole = .other,
        source: String
    ) -> ECUDescriptor {
        ECUDescriptor(name: name, role: role, address: .standard(request: request)!, protocols: protocols, source: source)
    }

    private static func behind750(
        _ subAddress: UInt8, _ name: String, _ protocols: [DiagnosticProtocol], role: ECURole = .other,
        source: String
    ) -> ECUDescriptor {
        ECUDescriptor(
            name: name, role: role, address: .standard(request: 0x750, extendedAddress: subAddress)!,
            protocols: protocols, source: source)
    }

    /// Toyota/Lexus: 11-bit ECUs answering on request + 8, and the ECUs behind 0x750/0x758 with ISO-TP
    /// extended addressing. Addresses from commaai/opendbc `opendbc/car/toyota/values.py` and
    /// `fingerprints.py`, openpilot PRs #28613/#28653/#28673, and Miller & Valasek's 2013 Prius tooling, as
    /// collected in the project's research notes (toyota-domain.md §1.3).
    public static let toyota = VehicleProfile(
        name: "toyota",
        ecus: [
            standard(0x7E0, "Engine (ECM)", [.uds, .kwp, .obd], source: "opendbc toyota/fingerprints.py (Ecu.engine, 0x7e0)"),
            standard(0x700, "Engine (newer platforms)", [.uds], source: "opendbc toyota/fingerprints.py (Ecu.engine, 0x700)"),
            standard(0x7E1, "Transmission", [.kwp, .uds, .obd], source: "opendbc toyota/values.py extra_ecus"),
            standard(0x701, "Transmission (UDS)", [.uds], source: "opendbc toyota/values.py extra_ecus; openpilot #28649"),
            standard(0x7E2, "Hybrid control (KWP)", [.kwp, .obd], source: "opendbc toyota/values.py extra_ecus"),
            standard(0x7D2, "Hybrid control (UDS)", [.uds], source: "opendbc toyota/values.py extra_ecus"),
            standard(0x7B0, "ABS / skid control", [.kwp, .uds], source: "opendbc toyota/fingerprints.py (Ecu.abs, 0x7b0)"),
            standard(0x7A1, "Power steering (EPS)", [.kwp, .uds], source: "opendbc toyota/fingerprints.py (Ecu.eps, 0x7a1)"),
            standard(0x780, "Airbag (SRS)", [.kwp, .uds], source: "opendbc toyota/values.py extra_ecus; openpilot #28633"),
            standard(0x784, "Airbag (SRS, second)", [.kwp, .uds], source: "opendbc toyota/values.py comment"),
            standard(0x791, "Driving support (DSU)", [.kwp], source: "opendbc toyota/fingerprints.py (Ecu.dsu, 0x791)"),
            standard(0x7C0, "Combination meter", [.uds, .kwp], source: "opendbc toyota/values.py comment; openpilot #28633"),
            standard(0x7C4, "Air conditioning (HVAC)", [.kwp, .uds, .obd], source: "opendbc toyota/values.py extra_ecus"),
            standard(
                0x7D0, "Navigation / head unit", [.kwp, .uds], role: .headUnit,
                source: "Miller & Valasek 2013, ecomcat_api config.py TP_Nav (2010 Prius); uncertain for newer head units"),
            behind750(0x0F, "Forward radar", [.uds, .kwp], source: "opendbc toyota/fingerprints.py (Ecu.fwdRadar, 0x750, 0xf)"),
            behind750(0x6D, "Forward camera", [.uds, .kwp], source: "opendbc toyota/fingerprints.py (Ecu.fwdCamera, 0x750, 0x6d)"),
            behind750(0x2C, "Electronic parking brake", [.uds], source: "opendbc toyota/values.py comment; openpilot #28674"),
            behind750(0x40, "Main body", [.kwp, .uds], source: "opendbc toyota/values.py comment; openpilot #28673"),
            behind750(0x5F, "Central gateway", [.kwp, .uds], role: .gateway, source: "opendbc toyota/values.py comment; openpilot #28653"),
            behind750(0xC7, "Telematics (DCM)", [.uds, .kwp], role: .dcm, source: "opendbc toyota/values.py comment; openpilot #28613"),
            behind750(0xB5, "Smart key", [.kwp], source: "openpilot #28673; Miller & Valasek TP_SmartKey"),
        ])

    /// Any make: the OBD-II emissions ECUs (0x7E0-0x7E7 answering on +8, SAE J1979 / ISO 15765-4).
    public static let generic = VehicleProfile(
        name: "generic",
        ecus: (0..<8).map { index in
            standard(
                0x7E0 + UInt32(index), index == 0 ? "OBD ECU #1 (usually engine)" : "OBD ECU #\(index + 1)",
                [.obd, .uds], source: "ISO 15765-4 legislated OBD identifiers")
        })
}
