import DTC
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
                var distinct: [DiagnosticTroubleCode] = []
                var states: [DiagnosticTroubleCode: FindingState] = [:]
                for record in ecu.dtcs where record.indicatesFault {
                    // OBD and KWP codes carry their state outside the status byte (`DTCRecord.state`); a code read
                    // in several states keeps the most current. OBD's permanent codes are stored ones to triage.
                    if record.dtc.status == nil, let text = record.state {
                        let state = FindingState(rawValue: text) ?? .stored
                        states[record.dtc] = min(states[record.dtc] ?? state, state)
                    }
                    if seen.insert(record.dtc.hyphenatedText + "\(record.dtc.status?.rawValue ?? 0)").inserted {
                        distinct.append(record.dtc)
                    }
                }
                findings.append(ECUFinding(ecu: ecu.identity, dtcs: distinct, statesWithoutStatusByte: states))
            } else if ecu.unansweredRequests > 0 {
                unresponsive.append(ecu.identity)
            }
        }
        return VehicleFindings(findings: findings, unresponsive: unresponsive, dcmStatus: dcmStatus?.verdict)
    }
}
