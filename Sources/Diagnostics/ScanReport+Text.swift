import CANCore
import Interpretation

extension ECUScanResult.Status {
    /// The result column: OK, n codes, no response, negative response, stopped answering, not reached.
    func text(codes: Int) -> String {
        switch self {
        case .answered: codes == 0 ? "OK" : "\(codes) code\(codes == 1 ? "" : "s")"
        case .noResponse: "no response"
        case .refused(let code): "negative response (\(NegativeResponseName.name(code)))"
        case .stoppedAnswering: "stopped answering (partial)"
        case .unreached(let reason): "not reached: \(reason)"
        }
    }
}

/// Names of negative response codes for the scan table, without importing the UDS codec here.
enum NegativeResponseName {
    static func name(_ code: UInt8) -> String {
        let names: [UInt8: String] = [
            0x10: "generalReject", 0x11: "serviceNotSupported", 0x12: "subFunctionNotSupported",
            0x13: "incorrectMessageLength", 0x21: "busyRepeatRequest", 0x22: "conditionsNotCorrect",
            0x31: "requestOutOfRange", 0x33: "securityAccessDenied", 0x7F: "serviceNotSupportedInActiveSession",
        ]
        return names[code] ?? "0x" + Hex.string(code, digits: 2)
    }
}

extension ScanReport {
    /// Distinct codes per ECU address, from the findings.
    func codeCount(_ address: ECUAddress) -> Int {
        Set(report.dtcs.filter { $0.ecu == address }.map(\.dtc.hyphenatedText)).count
    }

    /// Rows of the Techstream-style table: system, address, protocol, result, time.
    public var tableRows: [[String]] {
        var rows: [[String]] = [["System", "Address", "Protocol", "Result", "Time"]]
        for result in results {
            rows.append([
                result.descriptor.name, result.descriptor.address.description,
                result.diagnosticProtocol?.rawValue.uppercased() ?? "-",
                result.status.text(codes: codeCount(result.descriptor.address)),
                ResponseTimeout.milliseconds(result.elapsed),
            ])
        }
        return rows
    }

    /// The report for people: the table, the DCM status with what was tried, the link, the details
    /// (``DiagnosticReport/text(title:)``) and one line per timeout. Ends with a newline.
    public func text(title: String) -> String {
        var out = title + "\n\n" + DiagnosticReport.table(tableRows, indent: 0) + "\n"
        let answered = results.filter { $0.status == .answered }.count
        out += "\(results.count) ECUs asked, \(answered) answered, in \(ResponseTimeout.milliseconds(elapsed))"
        if isPartial { out += "; PARTIAL: some ECUs stopped answering or were not reached, repeat the scan" }
        out += "\n\n"
        if let discovery {
            out += "Discovery: \(discovery.found.count) ECU\(discovery.found.count == 1 ? "" : "s") found with "
                + "\(discovery.probesSent) tester-present probes"
            if !discovery.unconfirmed.isEmpty {
                out += "; not confirmed: " + discovery.unconfirmed.map(\.description).joined(separator: ", ")
            }
            if discovery.unsolicitedFrames > 0 {
                out += "; ignored \(discovery.unsolicitedFrames) frame(s) that came without a probe on "
                    + discovery.noisyResponses.map(\.responseDescription).joined(separator: ", ")
            }
            out += "\n"
        }
        if let isoTPBackend { out += "ISO-TP: \(isoTPBackend)\n" }
        if let dcm = results.first(where: { $0.descriptor.role == .dcm }) {
            out += "DCM \(dcm.descriptor.address): tried \(dcm.requestsSent.isEmpty ? "nothing" : dcm.requestsSent.joined(separator: ", "))\n"
        }
        if let link {
            out += "Link \(link.interface): state \(link.state ?? "unknown")"
            if let transmit = link.transmitErrors, let receive = link.receiveErrors {
                out += ", error counters tx \(transmit) rx \(receive)"
            }
            out += link.busFault ? " (BUS FAULT)\n" : "\n"
        }
        out += "\n" + report.text(title: "Details")
        let lines = results.flatMap(\.log)
        if !lines.isEmpty {
            out += "\nLog\n" + lines.map { "  " + $0 + "\n" }.joined()
        }
        return out
    }

    /// The table as Markdown.
    public var markdownTable: String {
        let rows = tableRows
        var out = "| " + rows[0].joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: rows[0].count) + "\n"
        for row in rows.dropFirst() { out += "| " + row.joined(separator: " | ") + " |\n" }
        return out
    }
}

extension ECUAddress {
    /// The response id with the sub-address: `7E9`, `758 [C7]`.
    var responseDescription: String {
        responseID.description + (extendedAddress.map { " [" + Hex.string($0, digits: 2) + "]" } ?? "")
    }
}
