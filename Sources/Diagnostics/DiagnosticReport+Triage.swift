public import Interpretation

extension ECUReport {
    /// The ECU as triage names it.
    public var identity: ECUIdentity {
        ECUIdentity(
            name: name ?? "ECU \(address)", requestID: address.requestID.value, responseID: address.responseID.value,
            extendedAddress: address.extendedAddress, role: role)
    }
}

extension DiagnosticReport {
    /// What triage needs: every ECU that answered with its codes (each distinct DTC once, and only records
    /// that report a fault: see `DTCRecord.indicatesFault`), the ECUs that were asked and never answered, and
    /// the DCM verdict.
    public var vehicleFindings: VehicleFindings {
        var findings: [ECUFinding] = []
        var unresponsive: [ECUIdentity] = []
        for ecu in ecus {
            if ecu.answered {
                var seen = Set<String>()
                let distinct = ecu.dtcs.filter(\.indicatesFault).map(\.dtc).filter {
                    seen.insert($0.hyphenatedText + "\($0.status?.rawValue ?? 0)").inserted
                }
                findings.append(ECUFinding(ecu: ecu.identity, dtcs: distinct))
            } else if ecu.unansweredRequests > 0 {
                unresponsive.append(ecu.identity)
            }
        }
        return VehicleFindings(findings: findings, unresponsive: unresponsive, dcmStatus: dcmStatus?.verdict)
    }
}
